"""/register/log/: the register as a C2SP tiled transparency log (outside the language
prefixes; included from infitah/urls.py)."""

from django.urls import path, re_path

from infitah.ledger import log_views

app_name = "register_log"

urlpatterns = [
    path("checkpoint", log_views.checkpoint, name="checkpoint"),
    path("vkey", log_views.vkey, name="vkey"),
    path("vkeys", log_views.vkeys, name="vkeys"),
    path("cosignature", log_views.cosignature, name="cosignature"),
    re_path(r"^tile/(?P<path>[0-9a-z./]{1,200})$", log_views.tile, name="tile"),
]
