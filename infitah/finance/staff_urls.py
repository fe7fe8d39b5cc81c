"""Staff pages of budgets and procurement, under /<lang>/staff/<slug>/finance/."""

from django.urls import URLPattern, URLResolver

from infitah.finance import staff_budget_urls, staff_participatory_urls, staff_procurement_urls

app_name = "finance-staff"
urlpatterns: list[URLPattern | URLResolver] = [
    *staff_budget_urls.urlpatterns,
    *staff_procurement_urls.urlpatterns,
    *staff_participatory_urls.urlpatterns,
]
