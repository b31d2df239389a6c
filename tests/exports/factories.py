"""Factories for export jobs; ``done_job_with_file`` stores a real file (the configured storage: local or S3)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.core import files
from apps.exports.models import ExportJob
from tests.establishments import target_establishment
from tests.factories import OrganizationFactory


class ExportJobFactory(DjangoModelFactory):
    class Meta:
        model = ExportJob

    organization = factory.SubFactory(OrganizationFactory)
    kind = ExportJob.Kind.DOSSIER_PDF
    dossier_version = factory.Sequence(lambda n: n + 1)
    # The whole organization, unless a test asked for objects in one establishment (objects_in).
    establishment_ids = factory.LazyFunction(lambda: [e.pk] if (e := target_establishment()) else None)


def done_job_with_file(organization, *, kind: str = ExportJob.Kind.DOSSIER_PDF, content: bytes = b"%PDF-1.7 test",
                       **kwargs) -> ExportJob:
    job = ExportJobFactory(organization=organization, kind=kind, status=ExportJob.Status.DONE, progress=100, **kwargs)
    job.file_path = files.save_exactly(job.storage_name, ContentFile(content))
    job.size = len(content)
    job.sha256 = hashlib.sha256(content).hexdigest()
    job.finished_at = timezone.now()
    job.expires_at = timezone.now() + timedelta(days=7)
    job.save()
    return job
