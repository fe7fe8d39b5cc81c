from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "infitah.territories"
    label = "territories"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from infitah.lib.pagecache import bump
        from infitah.territories.models import Collectivity

        def invalidate(**kwargs: object) -> None:
            bump("territories")

        # Cache invalidation is the one use of signals the house style allows.
        post_save.connect(
            invalidate, sender=Collectivity, dispatch_uid="territories-pagecache", weak=False
        )
        post_delete.connect(
            invalidate, sender=Collectivity, dispatch_uid="territories-pagecache-d", weak=False
        )
