from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    name = "infitah.publication"
    label = "publication"
    verbose_name = _("Proactive publication")

    def ready(self) -> None:
        from django.urls import reverse

        from infitah.ledger.models import RegisterEntry
        from infitah.ledger.register_links import register_document_link
        from infitah.publication.highlights import highlights_register
        from infitah.publication.indexing import REGISTER_DOCUMENT_TYPE
        from infitah.territories.models import Collectivity
        from infitah.territories.modules import Module, register_module

        def documents_url(collectivity: Collectivity) -> str:
            return reverse("publication:list", kwargs={"slug": collectivity.slug})

        def compliance_url(collectivity: Collectivity) -> str:
            return reverse("publication:compliance", kwargs={"slug": collectivity.slug})

        register_module(Module(key="documents", title=_("Documents"), url=documents_url, order=10))
        register_module(
            Module(
                key="compliance",
                title=_("Proactive publication: compliance"),
                url=compliance_url,
                order=11,
            )
        )

        def document_url(entry: RegisterEntry) -> str:
            return reverse(
                "publication:detail",
                kwargs={"slug": entry.collectivity.slug, "pk": int(entry.document_id)},
            )

        # The publication register links each entry to the document's public page.
        register_document_link(REGISTER_DOCUMENT_TYPE, document_url)
        highlights_register()
