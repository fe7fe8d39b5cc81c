"""The gunicorn worker class of `manage.py serve` and production (docs/operations.md).

    gunicorn infitah.asgi:application --worker-class infitah.server.Worker

uvicorn's own worker, with one change: uvicorn does not rewrite the client's address
from `X-Forwarded-For` (it would believe 127.0.0.1 by default). The application decides,
with `INFITAH_TRUSTED_PROXIES` (petitions/integrity.py `client_ip_meta`) and Django's
`SECURE_PROXY_SSL_HEADER`, one policy whatever the server. This module imports no Django:
gunicorn's master process loads it."""

from typing import Any

from uvicorn_worker import UvicornWorker


class Worker(UvicornWorker):  # type: ignore[misc]  # the base is untyped
    CONFIG_KWARGS: dict[str, Any] = {**UvicornWorker.CONFIG_KWARGS, "proxy_headers": False}
