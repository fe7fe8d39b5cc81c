"""Bind the digests of existing API tokens to SECRET_KEY.

Until now a token's row held the bare SHA-256 of its secret, so a token worked under any
SECRET_KEY (one minted on a development machine worked in production). The digest is now
an HMAC, keyed by SECRET_KEY, of that SHA-256 (accounts/services.py `_api_token_digests`),
which can be computed from the stored rows: existing tokens keep working under the key in
force when this migration runs, and under no other.

Going back revokes every token (the old code cannot match keyed digests): re-issue them.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from django.utils.crypto import salted_hmac

# The same salt as accounts/services.py `_API_TOKEN_KEY_SALT` (a migration imports no
# application code).
KEY_SALT = "infitah.accounts.ApiToken.digest"


def digests_bind_to_secret_key(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.only("pk", "digest").iterator():
        token.digest = salted_hmac(
            KEY_SALT, token.digest, secret=settings.SECRET_KEY, algorithm="sha256"
        ).hexdigest()
        token.save(update_fields=["digest"])


def tokens_revoke(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_add_throttle"),
    ]

    operations = [
        migrations.RunPython(digests_bind_to_secret_key, tokens_revoke),
    ]
