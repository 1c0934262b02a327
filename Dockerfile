# One image for every Python process of the stack: web (gunicorn), worker and beat (Celery), and the
# one-off migrate job. deploy/compose.yaml runs it; docs/deployment.md explains the settings.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=tanpuhui.settings

# gettext compiles the translations; libpq is not needed (psycopg's binary wheel carries its own).
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 tanpuhui

WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
COPY tanpuhui ./tanpuhui
COPY manage.py ./
COPY deploy/gunicorn.conf.py ./deploy/gunicorn.conf.py
RUN pip install --quiet -c requirements.lock . \
    && python manage.py compilemessages --ignore '*site-packages*' -v 0 \
    && DJANGO_PRODUCTION=1 SECRET_KEY=build-only IDENTITY_HASH_KEY=build-only ALLOWED_HOSTS=build \
       python manage.py collectstatic --noinput -v 0 \
    && mkdir -p /app/var && chown -R tanpuhui /app/var

USER tanpuhui
EXPOSE 8000
CMD ["gunicorn", "tanpuhui.wsgi:application", "-c", "deploy/gunicorn.conf.py"]
