from django.contrib import admin

from infitah.territories.models import Collectivity


@admin.register(Collectivity)
class CollectivityAdmin(admin.ModelAdmin[Collectivity]):
    list_display = ("name_fr", "name_ar", "kind", "parent", "population", "is_network_member")
    list_filter = ("kind", "is_network_member", "region")
    search_fields = ("name_fr", "name_ar", "slug", "code")
    raw_id_fields = ("parent", "region")
    readonly_fields = ("search_key", "created_at", "updated_at")
