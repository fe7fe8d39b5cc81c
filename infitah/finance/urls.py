"""Public pages of budgets and procurement, under /<lang>/c/<slug>/finance/."""

from django.urls import URLPattern, URLResolver

from infitah.finance import budget_urls, participatory_urls, procurement_urls

app_name = "finance"
urlpatterns: list[URLPattern | URLResolver] = [
    *budget_urls.urlpatterns,
    *procurement_urls.urlpatterns,
    *participatory_urls.urlpatterns,
]
