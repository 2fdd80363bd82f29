"""`make run`: DEBUG on, SQLite and the filesystem broker unless the environment says otherwise."""

from pathlib import Path

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-local-development-only")

# Served by runserver / the live test server from the finders; WhiteNoise only wants the folder.
WHITENOISE_USE_FINDERS = True
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # noqa: F405
