"""The test suite: SQLite by default, PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set."""

from pathlib import Path

from .base import *  # noqa: F403
from .base import REDIS_URL

DEBUG = False
DATABASES.pop("owner", None)  # noqa: F405 (the suite creates and migrates its own database)
SECRET_KEY = "test-secret-key-not-for-production"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Unit tests run tasks eagerly; tests marked `redis` run a real worker against REDIS_URL.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Served by runserver / the live test server from the finders; WhiteNoise only wants the folder.
WHITENOISE_USE_FINDERS = True
# Look files up when asked instead of scanning every static folder (DRF's, the admin's, the
# API docs' assets) when the middleware starts: the test client starts the middleware once per
# client, which cost ~25 ms a client, i.e. several minutes of CPU over the suite.
WHITENOISE_AUTOREFRESH = True
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # noqa: F405
# One process (the test client, the live server's thread): its own cache is shared by all, so
# sessions come from the cache as in production with Redis.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# The suite reuses user ids and one cache per process for thousands of requests a minute: the
# throttles stay on but far out of reach (tests/tenancy/test_throttles.py sets real rates).
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min"},
}
API_FAILED_AUTH_LIMIT = 100_000  # tests/tenancy/test_throttles.py sets a real one
# The same for reset links (tests/accounts/test_sign_in_security.py sets real limits); the
# sign-in lockout keeps its real limit (its counts are rows, rolled back with each test).
PASSWORD_RESET_LIMIT_PER_ADDRESS = 100_000
PASSWORD_RESET_LIMIT_PER_EMAIL = 100_000
