"""Load the demo data once: ``manage.py seed_demo`` (the dev runner calls it on first start).

Each installed app may ship ``demo.py`` with ``seed(ctx)``; they run in INSTALLED_APPS order inside
one transaction, so a failure leaves the database as it was. A ``demo.py`` may also define ``finish(ctx)``,
run once every app has seeded: what an earlier app approved can then be reviewed against the facts later
apps recorded (the backups demo's restoration tests change the BIA a plan relies on; the plan is re-approved).
"""

from __future__ import annotations

import importlib
from typing import Any

import pghistory
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from apps.tenants.demo import GHT_SLUG, DemoContext, demo_accounts, demo_password
from apps.tenants.models import Organization


class Command(BaseCommand):
    help = "Load Resilis demo organizations, users and data (once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet-accounts", action="store_true", help="Do not print the demo accounts.")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        if Organization.objects.filter(slug=GHT_SLUG).exists():
            self.stdout.write("Données de démonstration déjà présentes.")
        else:
            ctx = DemoContext()
            from apps.notifications.services import emails_silenced

            # The demo's events are notified in the application (the homes show them), never e-mailed.
            with transaction.atomic(), pghistory.context(source="seed_demo"), emails_silenced():
                modules = []
                for config in apps.get_app_configs():
                    if not config.name.startswith("apps."):
                        continue
                    try:
                        module = importlib.import_module(f"{config.name}.demo")
                    except ModuleNotFoundError as error:
                        if error.name == f"{config.name}.demo":
                            continue
                        raise
                    module.seed(ctx)
                    modules.append(module)
                for module in modules:
                    if hasattr(module, "finish"):
                        module.finish(ctx)
            self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
        if not options["quiet_accounts"] and settings.DEBUG:
            self.stdout.write(f"\nComptes de démonstration (mot de passe : {demo_password()})")
            for row in demo_accounts():
                self.stdout.write(f"  {row['email']:<45} {row['roles']}")
