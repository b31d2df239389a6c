"""Factories for evidence files (a real minimal PDF stored under the test MEDIA_ROOT)."""

from __future__ import annotations

import factory
from django.core.files.base import ContentFile
from factory.django import DjangoModelFactory

from apps.compliance.models import Evidence
from apps.compliance.pdf import minimal_pdf
from tests.factories import OrganizationFactory


class EvidenceFactory(DjangoModelFactory):
    class Meta:
        model = Evidence

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Pièce {n}")
    original_name = "piece.pdf"
    mime_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: len(minimal_pdf()))
    sha256 = "0" * 64
    requirement_ids = factory.LazyFunction(lambda: ["D2.P1"])
    file = factory.LazyFunction(lambda: ContentFile(minimal_pdf(), name="piece.pdf"))
