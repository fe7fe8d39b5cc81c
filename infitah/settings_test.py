"""Test settings: the production settings module with INFITAH_ENV=test.

Test-only overrides live here, not in settings.py.
"""

import os

os.environ.setdefault("INFITAH_ENV", "test")
os.environ.setdefault("EMAIL_URL", "locmem://")
os.environ.setdefault("SMS_URL", "locmem://")

from infitah.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests serve static files from the apps (no collectstatic); WhiteNoise wants the folder.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
WHITENOISE_AUTOREFRESH = True
INFITAH_PAGE_CACHE_SECONDS = 300
