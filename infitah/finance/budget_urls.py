"""Public budget pages: the collectivity's budgets, the citizen budget of a year."""

from django.urls import URLPattern, path

from infitah.finance.placeholder import todo

urlpatterns: list[URLPattern] = [
    path("", todo, name="home"),
    path("budgets/<int:year>/", todo, name="budget"),
    path("budgets/<int:year>/gender/", todo, name="gender"),
    path("budgets/<int:year>/lines.csv", todo, name="budget-csv"),
]
