"""WSGI entry point for gunicorn: Django, with the signature ingest in front of it
(infitah/petitions/ingest.py: the two signing endpoints answered in batches)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "infitah.settings")
django_application = get_wsgi_application()

from infitah.petitions.ingest import SignatureIngest  # noqa: E402  (needs Django set up)

application = SignatureIngest(django_application)
