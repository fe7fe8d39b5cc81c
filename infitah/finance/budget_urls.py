"""Public budget pages: the collectivity's budgets, the citizen budget of a year, its
gender budgeting report and the CSV of its lines."""

from django.urls import URLPattern, path

from infitah.finance import budget_views as views

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("budgets/<int:year>/", views.budget, name="budget"),
    path("budgets/<int:year>/gender/", views.gender, name="gender"),
    path("budgets/<int:year>/lines.csv", views.budget_csv, name="budget-csv"),
]
