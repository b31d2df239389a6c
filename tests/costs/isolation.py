"""Kwargs factories for the expense lines' URLs (see tests/isolation.py).

Inside ``tests.establishments.objects_in`` the line belongs to that establishment (no ``ORG_WIDE``)."""

from django.contrib.contenttypes.models import ContentType

from tests.compliance.factories import EvidenceFactory
from tests.costs.factories import CostLineFactory


def _line(org):
    return {"pk": CostLineFactory(organization=org).pk}


def _with_files(org):
    from apps.compliance.models import Evidence
    from apps.costs.models import CostLine

    line = CostLineFactory(organization=org)
    link = {"content_type": ContentType.objects.get_for_model(CostLine), "object_id": line.pk}
    proof = EvidenceFactory(organization=org, title="Facture", requirement_ids=[], **link)
    letter = EvidenceFactory(organization=org, title="Lettre", requirement_ids=[], kind=Evidence.Kind.MISSION_LETTER,
                             **link)
    CostLine.objects.filter(pk=line.pk).update(proof=proof, mission_letter=letter)
    return {"pk": line.pk}


URL_KWARGS = {
    "costs:update": _line,
    "costs:delete": _line,
    "costs:proof": _with_files,
    "costs:mission-letter": _with_files,
}
ORG_WIDE: set[str] = set()
