"""Signals other apps listen to, so that continuity does not import them.

- ``plan_version_approved(sender=PlanVersion, version=…)``: sent by ``services.plan_approve`` inside its
  transaction once the version is approved (the crisis kit's copy register flags the older copies « périmées »).
"""

from django.dispatch import Signal

plan_version_approved = Signal()
