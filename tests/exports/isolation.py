"""Kwargs factories for the exports app's URLs (see tests/isolation.py)."""

from apps.exports.models import ExportJob
from tests.exports.factories import ExportJobFactory, done_job_with_file


def _job(org):
    return {"pk": ExportJobFactory(organization=org, status=ExportJob.Status.FAILED).pk}


def _done_job(org):
    return {"pk": done_job_with_file(org).pk}


URL_KWARGS = {
    "exports:status": _job,
    "exports:retry": _job,
    "exports:download": _done_job,
}
