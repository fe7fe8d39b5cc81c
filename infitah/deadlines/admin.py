"""Django admin: legal limits, calendar overrides (add only, through the service), deadlines."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from infitah.accounts.models import User
from infitah.accounts.permissions import NetworkPerm, has_network_perm
from infitah.deadlines.forms import OverrideForm
from infitah.deadlines.models import CalendarOverride, Deadline, LegalLimit
from infitah.deadlines.services import calendar_override_add


def _can_manage_calendar(request: HttpRequest) -> bool:
    user = request.user
    return isinstance(user, User) and has_network_perm(user, NetworkPerm.CALENDAR_MANAGE)


@admin.register(LegalLimit)
class LegalLimitAdmin(admin.ModelAdmin[LegalLimit]):
    list_display = ["code", "name_fr", "duration", "unit", "legal_basis_fr"]
    search_fields = ["code", "name_ar", "name_fr", "legal_basis_ar", "legal_basis_fr"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CalendarOverrideAdminForm(forms.ModelForm[CalendarOverride]):
    """The admin's add form: validated like the staff page's form."""

    class Meta:
        model = CalendarOverride
        fields = ["kind", "date", "new_date", "name_ar", "name_fr", "reason", "reference"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            check = OverrideForm(
                data={
                    "kind": data.get("kind"),
                    "date": data.get("date"),
                    "new_date": data.get("new_date") or "",
                    "name_ar": data.get("name_ar", ""),
                    "name_fr": data.get("name_fr", ""),
                    "reason": data.get("reason", ""),
                    "reference": data.get("reference", ""),
                }
            )
            if not check.is_valid():
                for field, errors in check.errors.items():
                    for error in errors:
                        self.add_error(None if field == "__all__" else field, error)
        return data


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin[CalendarOverride]):
    """Overrides are added through `calendar_override_add`, never changed or deleted."""

    form = CalendarOverrideAdminForm
    list_display = ["kind", "date", "new_date", "name_fr", "created_by", "created_at"]
    list_filter = ["kind"]
    readonly_fields = ["created_by", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _can_manage_calendar(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _can_manage_calendar(request) or super().has_view_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _can_manage_calendar(request) or super().has_module_permission(request)

    def save_model(
        self, request: HttpRequest, obj: CalendarOverride, form: Any, change: bool
    ) -> None:
        assert isinstance(request.user, User)
        created = calendar_override_add(
            actor=request.user,
            kind=obj.kind,
            date=obj.date,
            new_date=obj.new_date,
            name_ar=obj.name_ar,
            name_fr=obj.name_fr,
            reason=obj.reason,
            reference=obj.reference,
        )
        # The admin logs and redirects to the saved object: make `obj` that row.
        obj.pk = created.pk
        obj.created_by = created.created_by
        obj.created_at = created.created_at
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return None


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin[Deadline]):
    """Read-only: deadlines change only through the services."""

    list_display = ["label", "collectivity", "limit", "start_date", "due_date", "status"]
    list_filter = ["status", "limit"]
    list_select_related = ["collectivity", "limit"]
    search_fields = ["label", "subject_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
