"""The « Crisis day » stage of the journey: the offline kit exists and no copy is out of date."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.crisis.models import KitCopy

if TYPE_CHECKING:
    from apps.tenants.models import Organization


def journey_progress(organization: Organization) -> dict[str, Any]:
    copies = KitCopy.objects.filter(organization=organization)
    stale = copies.filter(state=KitCopy.State.STALE).count()
    if stale:
        label = ngettext("%(count)s kit copy out of date", "%(count)s kit copies out of date", stale) % {
            "count": stale}
        return {"percent": 50, "missing": [label], "next_action": (label, "crisis:register")}
    if not copies.filter(state=KitCopy.State.CURRENT).exists():
        return {"percent": 0, "missing": [_("No copy of the offline crisis kit is registered.")],
                "next_action": (_("Issue the offline crisis kit"), "crisis:register")}
    return {"percent": 100, "missing": [], "next_action": (_("Crisis day"), "crisis:list")}
