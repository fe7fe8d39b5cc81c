"""Models never bake the language settings into migrations (froide's lesson)."""

from io import StringIO

import pytest

from django.core.management import call_command


@pytest.mark.django_db
def test_changing_languages_creates_no_migration(settings) -> None:
    settings.LANGUAGES = [("ar", "Arabic"), ("fr", "French"), ("en", "English")]
    settings.LANGUAGE_CODE = "fr"
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
