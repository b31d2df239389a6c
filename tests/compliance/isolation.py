"""Kwargs factories for the compliance app's URLs (see tests/isolation.py)."""

from tests.compliance.factories import EvidenceFactory
from tests.establishments import target_establishment


def _evidence(org):
    link = {}
    if target_establishment() is not None:
        # Evidence of one establishment: a file linked to one of its activities.
        from django.contrib.contenttypes.models import ContentType

        from tests.bia.factories import activity_in

        activity = activity_in(org)
        link = {"content_type": ContentType.objects.get_for_model(activity), "object_id": activity.pk}
    return {"pk": EvidenceFactory(organization=org, **link).pk}


URL_KWARGS = {
    "compliance:evidence-update": _evidence,
    "compliance:evidence-download": _evidence,
    "compliance:evidence-delete": _evidence,
}
