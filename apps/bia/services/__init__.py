"""Writes for the BIA, one module per subject: ``scales`` (criteria, horizons, settings, derived DMIA),
``activities`` (activity map, business owner), ``questionnaire`` (answers, review, campaign),
``resources`` (resources and dependencies) and ``catalogue`` (reference catalogue import).

Every function is keyword-only, typed, atomic and validated (``full_clean``). Code inside ``apps.bia``
imports from the submodules; other apps may keep ``from apps.bia import services`` and call
``services.activity_create(...)``: the public functions are re-exported here.
"""

from apps.bia.services.activities import (
    activities_create_many,
    activity_assign_owner,
    activity_create,
    activity_delete,
    activity_update,
    campaign_set,
    org_unit_create,
    org_unit_resolve,
)
from apps.bia.services.catalogue import catalogue_import
from apps.bia.services.questionnaire import (
    activity_save_step,
    activity_send_back,
    activity_submit,
    activity_validate,
    campaign_remind,
    campaign_remind_owners,
    impacts_save,
)
from apps.bia.services.resources import (
    activity_dependency_remove,
    activity_dependency_set,
    activity_link_remove,
    activity_link_set,
    dependencies_set_many,
    resource_create,
    resource_delete,
    resource_dependency_remove,
    resource_dependency_set,
    resource_update,
    resources_create_many,
)
from apps.bia.services.scales import (
    activities_recompute,
    bia_settings,
    bia_settings_update,
    criterion_create,
    criterion_update,
    horizon_create,
    horizon_delete,
    horizon_update,
    scales_ensure_defaults,
)

__all__ = [
    "activities_create_many",
    "campaign_remind_owners",
    "campaign_set",
    "activities_recompute",
    "activity_assign_owner",
    "activity_create",
    "activity_delete",
    "activity_dependency_remove",
    "activity_dependency_set",
    "activity_link_remove",
    "activity_link_set",
    "activity_save_step",
    "activity_send_back",
    "activity_submit",
    "activity_update",
    "activity_validate",
    "bia_settings",
    "bia_settings_update",
    "campaign_remind",
    "catalogue_import",
    "criterion_create",
    "dependencies_set_many",
    "criterion_update",
    "horizon_create",
    "horizon_delete",
    "horizon_update",
    "impacts_save",
    "org_unit_create",
    "org_unit_resolve",
    "resource_create",
    "resource_delete",
    "resource_dependency_remove",
    "resource_dependency_set",
    "resource_update",
    "resources_create_many",
    "scales_ensure_defaults",
]
