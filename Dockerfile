# Resilis production image: one image for web (gunicorn), worker and beat.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 RESILIS_ENV=production
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-liberation2 gettext \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 resilis
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY --chown=resilis:resilis . .
RUN SECRET_KEY=build DATABASE_URL=postgres://build@localhost/build python manage.py collectstatic --noinput
USER resilis
EXPOSE 8000
CMD ["gunicorn", "resilis.wsgi:application", "--config", "resilis/gunicorn.py"]
