from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from apps.tenants.models import Membership, Organization
    from apps.workspace.queue import QueueItem


class DeclarationConfig(AppConfig):
    name = "apps.declaration"
    label = "declaration"
    verbose_name = _("Declaration")

    def ready(self) -> None:
        from apps.core.history import register_history
        from apps.core.navigation import NavLink, Stage, register_stage

        register_history("declaration.declarationversion", "declaration.reviewergrant")
        # Navigation only (``apps.compliance.journey.NOT_JOURNEY``).
        register_stage(Stage(
            key="declaration", order=950, label=_("Declaration"), capability="compliance.view",
            description=_("The direction reviews what is met and signs the declaration of objectives reached."),
            links=(NavLink(_("Declaration"), "declaration:page", "compliance.view"),),
        ))
        from apps.workspace.queue import QueueSource, register_queue_source

        # The director's « À approuver »: the declaration while unsigned, or changed since its signed version.
        register_queue_source(QueueSource(key="declaration", order=40, label=_("Declaration to sign"),
                                          capabilities=("declaration.sign",), items=declarations_to_sign))


def declarations_to_sign(organization: Organization, membership: Membership) -> list[QueueItem]:
    from apps.declaration import services
    from apps.workspace.queue import QueueItem

    latest = services.latest_signed(organization=organization)
    if latest is None:
        return [QueueItem(label=str(_("Declaration of objectives reached")), url_name="declaration:page",
                          detail=str(_("Not signed yet")))]
    changes = services.changes_since(organization=organization, version=latest)
    if not changes:
        return []
    detail = ngettext("%(count)d change since v%(number)s signed", "%(count)d changes since v%(number)s signed",
                      len(changes)) % {"count": len(changes), "number": latest.number}
    return [QueueItem(label=str(_("Declaration of objectives reached")), url_name="declaration:page",
                      detail=detail, since=latest.signed_at)]
