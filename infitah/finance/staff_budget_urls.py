"""Staff: budgets, imports (versions), line tagging, gender budgeting, key documents."""

from django.urls import URLPattern, path

from infitah.finance import staff_views as views

YEAR = "budgets/<int:year>/"
LINE = f"{YEAR}lines/<int:item>/"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("budgets/open/", views.budget_open, name="budget-open"),
    path(YEAR, views.budget, name="budget"),
    path(f"{YEAR}import/", views.budget_import, name="budget-import"),
    path(f"{YEAR}tag/", views.budget_tag, name="budget-tag"),
    path(f"{YEAR}versions/<int:version>/file/", views.version_file, name="budget-version-file"),
    path(LINE, views.budget_item, name="budget-item"),
    path(f"{LINE}tag/", views.item_tag, name="budget-item-tag"),
    path(f"{LINE}indicators/add/", views.indicator_add, name="budget-indicator-add"),
    path(
        f"{LINE}indicators/<int:indicator>/",
        views.indicator_edit,
        name="budget-indicator-edit",
    ),
    path(
        f"{LINE}indicators/<int:indicator>/delete/",
        views.indicator_delete,
        name="budget-indicator-delete",
    ),
    path(f"{YEAR}comments/", views.comment, name="budget-comments"),
    path(f"{YEAR}documents/link/", views.document_link, name="budget-document-link"),
    path(
        f"{YEAR}documents/<str:kind>/unlink/",
        views.document_unlink,
        name="budget-document-unlink",
    ),
]
