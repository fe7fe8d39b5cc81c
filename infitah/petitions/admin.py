"""Django admin: read-only views of petitions and their settings; no signature data.

Writes go through the services (staff pages); the admin never shows a signatory, an ID
number or an e-mail address of a signatory.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from infitah.petitions.models import IntegritySettings, Invalidation, Petition, PetitionSettings


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Petition)
class PetitionAdmin(ReadOnly):
    list_display = ["reference", "title", "collectivity", "status", "channel", "lodged_on"]
    list_filter = ["status", "channel", "petitioner_kind"]
    search_fields = ["reference", "title"]
    exclude = ["agent_cin_encrypted", "manage_digest", "manage_token_encrypted", "confirm_digest"]


@admin.register(PetitionSettings)
class PetitionSettingsAdmin(ReadOnly):
    list_display = ["collectivity", "threshold_override", "threshold_basis", "retention_days"]


@admin.register(Invalidation)
class InvalidationAdmin(ReadOnly):
    list_display = ["petition", "actor", "at", "count"]


@admin.register(IntegritySettings)
class IntegritySettingsAdmin(ReadOnly):
    list_display = ["ip_limit_per_hour", "domain_limit_per_hour", "enabled", "updated_at"]
