"""Roles of a membership and the capabilities each grants.

Views declare the capability they need (``capability = "bia.change"``); the tenant middleware
answers 404 to non-members, and ``apps.core.views.OrgViewMixin`` answers 403 to members whose
role lacks the capability. Object-level rights inside an organization (a business owner's own
activities, a member limited to some establishments, a named approver) come from guardian on top.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    RPCRA = "rpcra", _("RPCRA (continuity lead)")
    DIRECTION = "direction", _("Direction")
    CONTRIBUTOR = "contributor", _("Contributor")
    BUSINESS_OWNER = "business_owner", _("Business owner")
    READER = "reader", _("Reader")
    CONSULTANT = "consultant", _("Consultant")


ROLE_HELP = {
    Role.ADMINISTRATOR: _("Manages members, roles and settings, and can do everything in the organization."),
    Role.RPCRA: _("Runs the continuity work: BIA campaign, plans, dossier."),
    Role.DIRECTION: _("Reads everything, sets priorities and approves plans and governance."),
    Role.CONTRIBUTOR: _("Project team, DSI/RSSI: edits governance, resources, backups, exercises."),
    Role.BUSINESS_OWNER: _("Answers the impact analysis of the activities assigned to them only."),
    Role.READER: _("Reads everything, changes nothing."),
    Role.CONSULTANT: _("External consultant running the work with the RPCRA."),
}

# Domains of the product, each with a read and a write capability.
DOMAINS = ("governance", "bia", "plans", "backups", "exercises", "actions", "compliance", "evidence", "crisis")
# « actions.mine »: every member follows the actions they own (« Mes actions »: status, notes, proof).
VIEW_ALL = {f"{d}.view" for d in DOMAINS} | {"org.view", "history.view", "actions.mine"}
CHANGE_ALL = {f"{d}.change" for d in DOMAINS}

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(
        VIEW_ALL | CHANGE_ALL | {"org.manage", "audit.view", "bia.validate", "bia.answer", "exports.run",
                                 "exports.view", "plans.approve", "governance.approve", "exercises.approve",
                                 "crisis.activate", "declaration.sign"}
    ),
    Role.RPCRA: frozenset(
        VIEW_ALL | CHANGE_ALL | {"audit.view", "bia.validate", "bia.answer", "exports.run", "exports.view"}
    ),
    # « templates.copy »: a consultant copies templates between the organizations they are a consultant of
    # (apps.onboarding.templates_copy); no other role has it.
    Role.CONSULTANT: frozenset(
        VIEW_ALL | CHANGE_ALL | {"bia.validate", "bia.answer", "exports.run", "exports.view", "templates.copy"}
    ),
    Role.DIRECTION: frozenset(
        VIEW_ALL | {"audit.view", "plans.approve", "governance.approve", "exercises.approve", "exports.run",
                    "exports.view", "crisis.activate", "crisis.change",
                    "declaration.sign"}
    ),
    Role.CONTRIBUTOR: frozenset(VIEW_ALL | CHANGE_ALL | {"bia.answer", "exports.run", "exports.view"}),
    # A business owner sees the journey, answers the BIA of the activities assigned to them and follows their
    # own actions.
    Role.BUSINESS_OWNER: frozenset({"org.view", "bia.answer", "actions.mine"}),
    Role.READER: frozenset(VIEW_ALL),
}


def capabilities_for(role: str) -> frozenset[str]:
    return CAPABILITIES.get(role, frozenset())


def all_capabilities() -> frozenset[str]:
    return frozenset().union(*CAPABILITIES.values())
