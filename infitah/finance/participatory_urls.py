"""Public pages of participatory budgets."""

from django.urls import URLPattern, path

from infitah.finance import participatory_views as views

urlpatterns: list[URLPattern] = [
    path("budgets/<int:year>/participatory/<int:pk>/", views.participatory, name="participatory"),
]
