"""Celery application. Workers: ``celery -A resilis worker -Q default,exports``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resilis.settings")

app = Celery("resilis")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
