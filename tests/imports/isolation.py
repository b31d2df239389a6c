"""Kwargs factories for the import pages (see tests/isolation.py).

An import carries the establishment limit of the member who uploaded it: inside
``tests.establishments.objects_in`` the run is limited to that establishment, so every URL is checked on
the establishment axis too (no ``ORG_WIDE``).
"""

from apps.imports.models import ImportKind, ImportRun
from tests.establishments import target_establishment


def _run(org):
    target = target_establishment()
    run = ImportRun.objects.create(organization=org, kind=ImportKind.RESOURCES, resource_kind="application",
                                   filename="inventaire.csv", headers=["Nom", "Éditeur"], row_count=1,
                                   rows=[[2, ["Dossier patient", "Editeur A"]]],
                                   mapping={"name": "Nom"},
                                   establishment_ids=[target.pk] if target is not None else None)
    return {"pk": run.pk}


URL_KWARGS = {
    "imports:mapping": _run,
    "imports:detail": _run,
    "imports:apply": _run,
}
ORG_WIDE: set[str] = set()
