# Switchboard for production: gunicorn and Celery on PostgreSQL and Redis (see docker-compose.yml).
# Every setting comes from the environment at run time; nothing secret is baked in.

# --- Front-end assets: installed from npm at build time, never committed ------------------
FROM python:3.12-slim AS assets
RUN apt-get update \
    && apt-get install -y --no-install-recommends make nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile package.json package-lock.json ./
# The same step as `make install` (npm ci, then copy into static/vendor).
RUN make assets PYTHON=/usr/local/bin/python

# --- Runtime ---------------------------------------------------------------------------
FROM python:3.12-slim
# The code runs from /app (templates and static files live beside it), so /app comes
# ahead of the copy that `pip install .` puts into site-packages.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/var/media

# Pango and a font for WeasyPrint (the executive summary PDFs).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --create-home --uid 10001 switchboard
WORKDIR /app
COPY . .
COPY --from=assets /src/static/vendor/ static/vendor/
RUN pip install .
# Hashed, compressed files for WhiteNoise. The key only satisfies the production settings'
# check; collectstatic neither signs nor stores anything with it.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && mkdir -p var/media \
    && chown -R switchboard:switchboard var

USER switchboard
EXPOSE 8000
# config/gunicorn.py: bind 0.0.0.0:8000, access log on stdout with secrets in paths masked.
CMD ["gunicorn", "-c", "python:config.gunicorn", "config.wsgi:application"]
