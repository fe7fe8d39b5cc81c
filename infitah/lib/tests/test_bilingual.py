"""A bilingual text in the page's language, else the other one."""

from __future__ import annotations

from django.utils import translation

from infitah.lib.bilingual import Bilingual


class _Thing(Bilingual):
    def __init__(self, ar: str, fr: str) -> None:
        self.title_ar, self.title_fr = ar, fr


def test_the_page_language_first_then_the_other() -> None:
    with translation.override("fr"):
        assert _Thing("عنوان", "Titre")._pick("title") == "Titre"
        assert _Thing("عنوان", "")._pick("title") == "عنوان"
    with translation.override("ar"):
        assert _Thing("عنوان", "Titre")._pick("title") == "عنوان"
        assert _Thing("", "Titre")._pick("title") == "Titre"
