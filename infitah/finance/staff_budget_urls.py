"""Staff: budgets, imports (versions), line tagging, gender budgeting, key documents."""

from django.urls import URLPattern, path

from infitah.finance.placeholder import todo

urlpatterns: list[URLPattern] = [
    path("", todo, name="home"),
    path("budgets/<int:year>/", todo, name="budget"),
]
