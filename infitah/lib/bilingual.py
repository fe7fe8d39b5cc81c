"""Models that hold a text in Arabic and in French (`<base>_ar`, `<base>_fr`)."""

from __future__ import annotations

from django.utils.translation import get_language


class Bilingual:
    """`_pick(base)`: `<base>` in the page's language, falling back on the other one."""

    def _pick(self, base: str) -> str:
        ar, fr = str(getattr(self, f"{base}_ar")), str(getattr(self, f"{base}_fr"))
        if (get_language() or "ar").startswith("fr"):
            return fr or ar
        return ar or fr
