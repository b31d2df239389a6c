"""What the API returns (reads). Writes are validated by the pages' forms (``apps.api.base.run_form``); the
``*Input`` serializers only describe their bodies in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.actions.models import Action
from apps.backups.models import BackupControl, BackupJob, RestoreTest
from apps.bia.models import Activity, ActivityDependency, Resource, ResourceDependency
from apps.continuity.models import PlanVersion
from apps.exercises.models import Exercise
from apps.tenants.models import Establishment, Site


class EstablishmentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Establishment
        fields = ["id", "name", "short_name", "finess_ej", "legal_status", "activity_share"]


class SiteSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Site
        fields = ["id", "establishment", "name", "finess_eg", "city"]


class ActivitySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    dmia_hours = serializers.IntegerField(read_only=True, allow_null=True,
                                          help_text="The DMIA in force (set by hand when justified, else derived).")

    class Meta:
        model = Activity
        fields = ["id", "establishment", "site", "unit", "name", "process", "care_perimeter", "status",
                  "criticality", "dmia_hours", "dmia_derived_hours", "dmia_override_hours", "pdma_hours",
                  "recovery_priority", "minimum_staff", "degraded_mode_exists", "updated_at"]


class ResourceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Resource
        fields = ["id", "kind", "name", "description", "catalogue_code", "establishment", "vendor", "is_saas",
                  "rto_capability_hours", "rpo_capability_hours", "contract_reference", "contract_end", "sla",
                  "contact_24_7", "updated_at"]


class ResourceInputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Resource
        fields = ["kind", "name", "description", "establishment", "vendor", "is_saas", "rto_capability_hours",
                  "rpo_capability_hours", "contract_reference", "contract_end", "sla", "contact_24_7"]


class ActivityDependencySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = ActivityDependency
        fields = ["id", "activity", "resource", "workaround_exists", "workaround_note", "workaround_hours"]


class ActivityDependencyInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    activity = serializers.IntegerField()
    resource = serializers.IntegerField()
    workaround_exists = serializers.BooleanField(required=False)
    workaround_note = serializers.CharField(required=False, allow_blank=True)
    workaround_hours = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=8760)


class ResourceDependencySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = ResourceDependency
        fields = ["id", "resource", "depends_on", "workaround_exists", "workaround_note", "workaround_hours"]


class ResourceDependencyInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    resource = serializers.IntegerField()
    depends_on = serializers.IntegerField()
    workaround_exists = serializers.BooleanField(required=False)
    workaround_note = serializers.CharField(required=False, allow_blank=True)
    workaround_hours = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=8760)


class GapSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One mismatch of the BIA engine: ``node`` can do ``capable_hours`` where ``required_hours`` is needed."""

    kind = serializers.ChoiceField(choices=["rto", "rpo"])
    node_kind = serializers.CharField()
    node_id = serializers.IntegerField()
    node_name = serializers.CharField()
    required_hours = serializers.FloatField()
    capable_hours = serializers.FloatField(allow_null=True)
    measured = serializers.BooleanField()
    ratio = serializers.FloatField(allow_null=True)
    missing_capability = serializers.BooleanField()
    source_activity = serializers.IntegerField()
    source_name = serializers.CharField()
    source_criticality = serializers.CharField(allow_blank=True)
    source_establishment = serializers.CharField(allow_blank=True)
    path = serializers.ListField(child=serializers.CharField())
    sentence = serializers.CharField()


class PlanVersionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    plan_title = serializers.CharField(source="plan.title", read_only=True)
    care_perimeter = serializers.CharField(source="plan.care_perimeter", read_only=True)
    establishment = serializers.IntegerField(source="plan.establishment_id", read_only=True, allow_null=True)

    class Meta:
        model = PlanVersion
        fields = ["id", "plan", "plan_title", "care_perimeter", "establishment", "number", "status", "approved_at",
                  "perimeter_establishment"]


class BackupControlSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = BackupControl
        fields = ["id", "resource", "product", "frequency_hours", "retention_days", "copies", "media_count",
                  "offsite_copy", "offline_copy", "restore_errors_checked", "authentication", "least_privilege_role",
                  "mfa_on_consoles", "mfa_unsupported", "network_isolated", "red_button_tested_on", "supervision_who",
                  "supervision_frequency", "supervision_on_failure", "central_alerts", "rssi_control", "encrypted",
                  "contract_clauses", "ads_score", "ads_audited_on", "updated_at"]


class BackupControlInputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    resource = serializers.IntegerField()

    class Meta:
        model = BackupControl
        fields = ["resource", "product", "frequency_hours", "retention_days", "copies", "media_count",
                  "offsite_copy", "offline_copy", "restore_errors_checked", "authentication", "least_privilege_role",
                  "mfa_on_consoles", "mfa_unsupported", "network_isolated", "red_button_tested_on", "supervision_who",
                  "supervision_frequency", "supervision_on_failure", "central_alerts", "rssi_control", "encrypted",
                  "contract_clauses", "contract_clauses_note", "ads_score", "ads_audited_on",
                  "plan_update_procedure", "notes"]


class RestoreTestSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    outcome = serializers.CharField(read_only=True)
    referent = serializers.CharField(read_only=True)

    class Meta:
        model = RestoreTest
        fields = ["id", "resource", "tested_on", "scope", "measured_hours", "required_rto_hours", "data_loss_hours",
                  "required_pdma_hours", "result", "outcome", "referent", "notes"]


class RestoreTestInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    resource = serializers.IntegerField()
    tested_on = serializers.DateField()
    scope = serializers.ChoiceField(choices=RestoreTest.Scope.choices)
    measured_hours = serializers.DecimalField(max_digits=7, decimal_places=2)
    data_loss_hours = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, allow_null=True)
    result = serializers.ChoiceField(choices=RestoreTest.Result.choices)
    referent_member = serializers.IntegerField(required=False, allow_null=True)
    referent_name = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class ActionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    reference = serializers.CharField(read_only=True)
    owner = serializers.CharField(source="owner_display", read_only=True)
    establishments = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = ["id", "number", "reference", "title", "description", "source_kind", "source_label",
                  "requirement_ids", "establishments", "owner", "due_date", "priority", "status", "closed_at",
                  "cost_estimate", "updated_at"]

    def get_establishments(self, action: Action) -> list[int]:
        return [link.establishment_id for link in action.establishment_links.all()]


class ActionInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    requirement_ids = serializers.ListField(child=serializers.CharField(), required=False)
    establishments = serializers.ListField(child=serializers.IntegerField(), required=False)
    owner_member = serializers.IntegerField(required=False, allow_null=True)
    owner_name = serializers.CharField(required=False, allow_blank=True)
    owner_email = serializers.EmailField(required=False, allow_blank=True)
    due_date = serializers.DateField()
    retro_entered = serializers.BooleanField(required=False)
    priority = serializers.ChoiceField(choices=["critical", "high", "medium", "low"], required=False)
    cost_estimate = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)


class ExerciseSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Exercise
        fields = ["id", "title", "format", "scope", "status", "planned_start", "duration_minutes", "debex_at",
                  "finex_at", "cyber_triggered"]


class RequirementStatusSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.CharField()
    label = serializers.CharField()
    status = serializers.CharField()
    evidence = serializers.ListField(child=serializers.CharField())
    missing = serializers.ListField(child=serializers.CharField())


class BackupJobSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = BackupJob
        fields = ["id", "resource", "finished_at", "success", "size_bytes", "target", "message", "created_at"]


class BackupJobInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A job result from the backup tool: the system by id, or by exact name (``system``)."""

    resource = serializers.IntegerField(required=False, help_text="The system's id in Resilis.")
    system = serializers.CharField(required=False, help_text="Or the system's exact name (application or "
                                   "infrastructure).")
    finished_at = serializers.DateTimeField()
    success = serializers.BooleanField()
    size_bytes = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    target = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                   help_text="Where the copy went (library, bucket, site).")
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class BackupJobResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    job = BackupJobSerializer()
    consecutive_failures = serializers.IntegerField()
    alert = serializers.IntegerField(allow_null=True, help_text="The open alert of the system, if any.")


def as_dict(value: Any) -> dict[str, Any]:
    return dict(value)
