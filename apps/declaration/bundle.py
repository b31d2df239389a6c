"""« Dossier complet (ZIP) »: the dossier PDF, the XLSX workbook, the cost workbook and every evidence file arranged
by requirement (``D2.O1.C/…``), with ``index.csv`` giving each file's path, requirement, date and SHA-256.

Built by the export worker (``ExportJob.Kind.BUNDLE_ZIP``) with bounded memory: the archive is written to the
job's scratch file entry by entry, each stored file read from the storage in ``CHUNK`` pieces
(``apps.core.files.open_stream``: S3 bodies are streamed too) and hashed on the way, so a 500 MB bundle never
holds more than a chunk of it. Evidence files are already compressed formats (PDF, images, office files):
stored without recompression, which keeps the worker's CPU low. The index's rows (``index_rows``) are the same
table the dossier's annex can print.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.text import slugify

from apps.compliance.models import Evidence
from apps.core import files

if TYPE_CHECKING:
    from apps.exports.models import ExportJob
    from apps.tenants.models import Organization

CHUNK = 1024 * 1024
NO_REQUIREMENT = "sans-exigence"
INDEX_HEADER = ["chemin", "exigence", "titre", "date du document", "déposé le", "taille (octets)", "sha256"]


@dataclass(frozen=True)
class IndexRow:
    path: str
    requirement: str
    title: str
    document_date: date | None
    uploaded_at: datetime | None
    size: int
    sha256: str

    def as_csv(self) -> list[str]:
        return [self.path, self.requirement, self.title,
                self.document_date.isoformat() if self.document_date else "",
                timezone.localtime(self.uploaded_at).isoformat(timespec="seconds") if self.uploaded_at else "",
                str(self.size), self.sha256]


def _entry_name(evidence_id: int, original_name: str) -> str:
    path = PurePosixPath(original_name or "document")
    stem = slugify(path.stem)[:80] or "document"
    suffix = "".join(c for c in path.suffix.lower()[:10] if c.isalnum() or c == ".")
    return f"{evidence_id}-{stem}{suffix}"


def evidence_entries(organization: Organization) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(zip path, requirement, evidence values)``: each live file under every requirement it supports (one query;
    the scope's establishment limit applies through the evidence library's manager)."""
    rows = (Evidence.objects.filter(organization=organization).alive().order_by("pk")
            .values("pk", "title", "original_name", "file", "sha256", "size", "document_date", "created_at",
                    "requirement_ids"))
    for row in rows.iterator(chunk_size=500):
        name = _entry_name(row["pk"], row["original_name"])
        for requirement in row["requirement_ids"] or [NO_REQUIREMENT]:
            yield f"{requirement}/{name}", "" if requirement == NO_REQUIREMENT else requirement, dict(row)


def index_rows(organization: Organization) -> list[IndexRow]:
    """The bundle's index for the evidence files, with their recorded SHA-256 (the annex's table)."""
    return [IndexRow(path=path, requirement=requirement, title=row["title"], document_date=row["document_date"],
                     uploaded_at=row["created_at"], size=row["size"], sha256=row["sha256"])
            for path, requirement, row in evidence_entries(organization)]


def _copy(archive: zipfile.ZipFile, arcname: str, chunks: Iterator[bytes]) -> tuple[str, int]:
    info = zipfile.ZipInfo(arcname, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED
    digest, size = hashlib.sha256(), 0
    with archive.open(info, "w", force_zip64=True) as target:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    return digest.hexdigest(), size


def _stored_chunks(name: str) -> Iterator[bytes]:
    stream, _size = files.open_stream(name)
    try:
        yield from iter(lambda: stream.read(CHUNK), b"")
    finally:
        stream.close()


def _path_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        yield from iter(lambda: handle.read(CHUNK), b"")


def write_bundle(*, organization: Organization, path: Path, documents: list[tuple[str, Path]],
                 progress: Callable[[int, str], None] | None = None) -> list[IndexRow]:
    """Stream ``documents`` (name, scratch path) and every evidence file into the ZIP at ``path``; returns the index
    (SHA-256 of the bytes written)."""
    index: list[IndexRow] = []
    now = timezone.now()
    with zipfile.ZipFile(path, "w", allowZip64=True) as archive:
        for name, document in documents:
            sha256, size = _copy(archive, name, _path_chunks(document))
            index.append(IndexRow(path=name, requirement="", title=name, document_date=None, uploaded_at=now,
                                  size=size, sha256=sha256))
        for count, (arcname, requirement, row) in enumerate(evidence_entries(organization)):
            if progress and count % 50 == 0:
                progress(80 + min(count // 50, 15), arcname)
            try:
                sha256, size = _copy(archive, arcname, _stored_chunks(row["file"]))
            except FileNotFoundError:
                continue  # a file gone from the storage is left out; the index lists only what the ZIP holds
            index.append(IndexRow(path=arcname, requirement=requirement, title=row["title"],
                                  document_date=row["document_date"], uploaded_at=row["created_at"], size=size,
                                  sha256=sha256))
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(INDEX_HEADER)
        for item in index:
            writer.writerow(item.as_csv())
        archive.writestr("index.csv", "\ufeff" + buffer.getvalue())  # BOM: Excel opens it in UTF-8
    return index


def render(organization: Organization, job: ExportJob, path: Path, progress: Callable[[int, str], None]) -> None:
    from apps.declaration.freeze import render_parts

    folder = path.parent / f"{path.name}.parts"
    folder.mkdir(exist_ok=True)
    try:
        if job.parameters.get("documents", True):
            parts = render_parts(organization=organization, job=job, folder=folder,
                                 progress=lambda p, label: progress(p * 8 // 10, label))
            documents = [(name, part) for _key, name, part in parts]
        else:  # the benchmark's evidence-only run (test parameter, never from a form)
            documents = []
        write_bundle(organization=organization, path=path, documents=documents, progress=progress)
    finally:
        for leftover in folder.glob("*"):
            leftover.unlink(missing_ok=True)
        folder.rmdir()


def filename(job: ExportJob) -> str:
    org = slugify(job.organization.name)[:50] or job.organization.slug
    day = timezone.localtime(job.finished_at or job.created_at).strftime("%Y-%m-%d")
    return f"dossier-complet-care-d2-{org}-v{job.dossier_version}-{day}.zip"
