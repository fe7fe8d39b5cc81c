"""Django admin: the catalogue (network administrators) and a read-only view of documents.

Documents change only through the services (publish, new version, withdraw); nothing is
ever deleted, so the admin offers neither add, change nor delete for them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from infitah.accounts.models import User
from infitah.accounts.permissions import NetworkPerm, has_network_perm
from infitah.publication.models import Category, Document


def _can_manage_catalogue(request: HttpRequest) -> bool:
    user = request.user
    return isinstance(user, User) and has_network_perm(user, NetworkPerm.CATALOGUE_MANAGE)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = [
        "code",
        "name_fr",
        "name_ar",
        "frequency",
        "max_age_days",
        "is_mandatory",
        "is_smiig",
        "is_confirmed",
        "is_active",
        "order",
    ]
    list_editable = ["order", "is_active"]
    list_filter = ["is_mandatory", "is_smiig", "is_confirmed", "is_active", "frequency"]
    search_fields = ["code", "name_ar", "name_fr", "legal_basis_fr"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The code is stable forever once documents point to it.
        return ["code"] if obj is not None else []

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _can_manage_catalogue(request) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _can_manage_catalogue(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _can_manage_catalogue(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _can_manage_catalogue(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retire a category with "active" instead


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin[Document]):
    list_display = ["title_ar", "title_fr", "collectivity", "category", "date", "version", "status"]
    list_filter = ["status", "file_type", "text_status", "category"]
    list_select_related = ["collectivity", "category"]
    search_fields = ["title_ar", "title_fr", "sha256", "original_name"]
    exclude = ["text"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
