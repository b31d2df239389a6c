"""Kwargs factories for the compliance app's URLs (see tests/isolation.py)."""

from tests.compliance.factories import EvidenceFactory


def _evidence(org):  # noqa: ANN001, ANN202
    return {"pk": EvidenceFactory(organization=org).pk}


URL_KWARGS = {
    "compliance:evidence-update": _evidence,
    "compliance:evidence-download": _evidence,
    "compliance:evidence-delete": _evidence,
}

# Objects that belong to no establishment (the organization's scales, scenarios, trajectories, evidence).
ORG_WIDE = {
    "compliance:evidence-update",
    "compliance:evidence-download",
    "compliance:evidence-delete",
}
