from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from infitah.accounts.models import Membership, Throttle, User


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    raw_id_fields = ("collectivity",)
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    ordering = ("email",)
    list_display = ("email", "full_name", "network_role", "is_active", "is_staff")
    list_filter = ("network_role", "is_active", "is_staff")
    search_fields = ("email", "full_name")
    inlines = (MembershipInline,)
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name")}),
        ("Roles", {"fields": ("network_role", "is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Throttle)
class ThrottleAdmin(admin.ModelAdmin[Throttle]):
    """Read-only: an operator looks, and deletes a row to lift its lock at once."""

    list_display = ("scope", "key", "attempts", "locked_until", "lockouts", "last_attempt_at")
    list_filter = ("scope",)
    search_fields = ("key",)
    ordering = ("-last_attempt_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Throttle | None = None) -> bool:
        return False
