"""Settings of the HTTP benchmark (bench/http.py): production's, on the benchmark's database,
with the bench-only URLconf, over plain HTTP on 127.0.0.1.

Nothing else differs from production but the API throttle rates (below): DEBUG stays off, the
middleware, templates, static storage (collected by bench/http.py into STATIC_ROOT), password
hashers and cache are the same.
SECRET_KEY and STATIC_ROOT come from the environment, as in production.
"""

from config.settings.production import *  # noqa: F403
from config.settings.production import DATABASES, env

# The database: bench/http.py creates it and passes its URL; by default the same server as
# bench/health_sweep.py (DATABASE_URL's when it names a PostgreSQL server, else
# BENCH_DATABASE_URL's, else postgres://postgres@127.0.0.1:5432/), database `bench_http`.
BENCH_DATABASE_NAME = "bench_http"


def _bench_database_url() -> str:
    url = env.str("BENCH_HTTP_DATABASE_URL", default="")
    if url:
        return url
    server = env.str("DATABASE_URL", default="")
    if not server.startswith(("postgres://", "postgresql://")):
        server = env.str("BENCH_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/")
    config = env.db_url_config(server)
    config["NAME"] = BENCH_DATABASE_NAME
    auth = config["USER"] + (f":{config['PASSWORD']}" if config["PASSWORD"] else "")
    return f"postgres://{auth}@{config['HOST']}:{config['PORT']}/{BENCH_DATABASE_NAME}"


# Production's database options (base.py sets them when DATABASE_URL names PostgreSQL, as it
# does in production): the connection fields come from the benchmark's URL.
DATABASES = {"default": {**DATABASES["default"], **env.db_url_config(_bench_database_url())}}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

# config.urls plus the anchors under /bench/; production never loads this URLconf.
ROOT_URLCONF = "bench.http_urls"

# Plain HTTP on 127.0.0.1: no TLS proxy in front, so no redirect to HTTPS, no secure-only
# cookies (the load generator sends them back over HTTP) and no HSTS.
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False

# One signed-in user drives thousands of requests a minute: the throttles still run (their cost
# is measured), with rates that the load never reaches.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "1000000/min", "user": "1000000/min"},
}
