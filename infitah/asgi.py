"""ASGI entry point, for gunicorn with uvicorn workers (`manage.py serve`):

    gunicorn infitah.asgi:application --worker-class infitah.server.Worker

The two signing endpoints are answered on the event loop, their writes in batches
(infitah/petitions/ingest.py), their headers those of Django's middleware chain; every
other request goes to Django's WSGI application in a pool of `INFITAH_ASGI_THREADS`
threads, exactly as under gunicorn's threads. Writes beyond `INFITAH_SHED_MAX_INFLIGHT`
(by default three quarters of those threads) are refused at once with 503 + Retry-After
(infitah/lib/loadshed.py) rather than queued for a thread; the application refuses to
start with a limit that could not trigger."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "infitah.settings")
django_application = get_wsgi_application()

from django.conf import settings  # noqa: E402

from infitah.petitions.ingest import SignatureIngestASGI  # noqa: E402  (needs Django set up)

application = SignatureIngestASGI(django_application, threads=settings.INFITAH_ASGI_THREADS)
