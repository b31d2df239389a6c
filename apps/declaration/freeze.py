"""The worker's side of a signature: render the dossier PDF, the XLSX workbook and the cost workbook once,
store them under ``declarations/<organization>/<version>/`` (never overwritten: a name already stored is kept
as it is, and the job fails rather than replace it), record their SHA-256 on the version; the job's own file is
a ZIP of the three with a ``SHA256SUMS`` manifest.

A freeze resumes: when a worker dies after storing some files but before the version is recorded as signed, the
job is claimed again (stale heartbeat) or started again from the declaration page, and the new attempt writes
into the first free ``reprise-<n>/`` folder of the version. The interrupted attempt's files were never recorded,
are never served and stay as they are; only the files of the attempt that completes are the signed ones.

Registered as the document of ``ExportJob.Kind.DECLARATION`` (``apps.exports.registry.register_document``).
While it renders, ``CURRENT`` holds the version so that the signature page of the PDF prints it.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.files import File
from django.utils import timezone

from apps.core import files
from apps.declaration.models import DeclarationVersion

if TYPE_CHECKING:
    from apps.exports.models import ExportJob
    from apps.tenants.models import Organization

CURRENT: ContextVar[DeclarationVersion | None] = ContextVar("declaration_being_signed", default=None)
CHUNK = 1024 * 1024


class AlreadyStored(Exception):
    """A signed file of this version already exists: signed files are never rewritten."""


@contextmanager
def signing(version: DeclarationVersion) -> Iterator[None]:
    token = CURRENT.set(version)
    try:
        yield
    finally:
        CURRENT.reset(token)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


PARTS = (("pdf", "dossier-care-d2.pdf"), ("xlsx", "classeur-care-d2.xlsx"), ("costs", "trame-justification-couts.xlsx"))


def storage_name(version: DeclarationVersion, filename: str, attempt: int = 1) -> str:
    folder = f"declarations/{version.organization_id}/{version.number}/"
    return f"{folder}{filename}" if attempt <= 1 else f"{folder}reprise-{attempt}/{filename}"


def free_attempt(version: DeclarationVersion) -> int:
    """The first attempt number none of whose file names is stored yet (1 unless an attempt was interrupted)."""
    storage = files.private_storage()
    attempt = 1
    while any(storage.exists(storage_name(version, name, attempt)) for _key, name in PARTS):
        attempt += 1
    return attempt


def store_once(name: str, source: Path) -> None:
    storage = files.private_storage()
    if storage.exists(name):
        raise AlreadyStored(name)
    with source.open("rb") as handle:
        saved = storage.save(name, File(handle, name=name))
    if saved != name:  # another writer got there first: keep theirs
        storage.delete(saved)
        raise AlreadyStored(name)


def render_parts(*, organization: Organization, job: ExportJob, folder: Path,
                 progress: Callable[[int, str], None]) -> list[tuple[str, str, Path]]:
    """The three dossier files into ``folder``: ``(key, file name, path)``."""
    from apps.costs.workbook import render_cost_workbook
    from apps.exports.pdf import render_dossier
    from apps.exports.xlsx import render_workbook

    paths = {key: folder / name for key, name in PARTS}
    render_dossier(organization=organization, job=job, path=paths["pdf"], progress=lambda p, label: progress(p // 2, label))
    progress(55, "XLSX")
    render_workbook(organization=organization, path=paths["xlsx"])
    progress(75, "XLSX")
    render_cost_workbook(organization=organization, path=paths["costs"])
    return [(key, name, paths[key]) for key, name in PARTS]


def render(organization: Organization, job: ExportJob, path: Path, progress: Callable[[int, str], None]) -> None:
    version = DeclarationVersion.objects.get(organization=organization, pk=job.parameters["declaration"])
    if version.status == DeclarationVersion.Status.SIGNED:
        raise AlreadyStored(str(version))  # a redelivered job never produces a second set of files
    folder = path.parent / f"{path.name}.parts"
    folder.mkdir(exist_ok=True)
    try:
        with signing(version):
            parts = render_parts(organization=organization, job=job, folder=folder, progress=progress)
        recorded: list[dict[str, Any]] = []
        attempt = free_attempt(version)
        for key, name, part in parts:
            target = storage_name(version, name, attempt)
            store_once(target, part)
            recorded.append({"key": key, "name": name, "path": target, "sha256": sha256_of(part),
                             "size": part.stat().st_size})
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for (_key, name, part), entry in zip(parts, recorded, strict=True):
                archive.write(part, arcname=name)
                assert entry["name"] == name
            manifest = "".join(f"{entry['sha256']}  {entry['name']}\n" for entry in recorded)
            manifest += f"{version.content_sha256}  contenu-declare.json\n"
            archive.writestr("SHA256SUMS", manifest)
        DeclarationVersion.objects.filter(pk=version.pk, status=DeclarationVersion.Status.FREEZING).update(
            files=recorded, status=DeclarationVersion.Status.SIGNED, updated_at=timezone.now())
    finally:
        for leftover in folder.glob("*"):
            leftover.unlink(missing_ok=True)
        folder.rmdir()


def filename(job: ExportJob) -> str:
    number = DeclarationVersion.objects.filter(pk=job.parameters.get("declaration")).values_list(
        "number", flat=True).first()
    return f"declaration-care-d2-v{number or 0}.zip"
