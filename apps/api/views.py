"""The API endpoints (``/api/v1/o/<organization_slug>/…``): reads through the apps' selectors and managers,
writes through the pages' forms and the apps' services (``apps.api.base``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.mixins import ListModelMixin
from rest_framework.request import Request
from rest_framework.response import Response

from apps.actions import services as action_services
from apps.actions.forms import ActionForm
from apps.actions.models import Action, ActionEstablishment, Status
from apps.api import serializers as s
from apps.api.base import OrgApiView, form_error_response, request_data, run_form
from apps.backups import feed
from apps.backups import services as backup_services
from apps.backups.forms import BackupJobForm, ControlForm, RestoreTestForm
from apps.backups.models import SYSTEM_KINDS, BackupControl, BackupJob, RestoreTest
from apps.bia.forms import ActivityDependencyForm, ResourceDependencyForm, ResourceForm
from apps.bia.models import Activity, ActivityDependency, Criticality, Resource, ResourceDependency
from apps.bia.selectors import bia_analysis, gap_rows, gap_sentence
from apps.bia.services.resources import (
    activity_dependency_set,
    resource_create,
    resource_dependency_set,
    resource_update,
)
from apps.compliance.selectors import requirement_statuses
from apps.continuity.models import PlanVersion
from apps.core.views import form_errors_from
from apps.exercises.models import Exercise
from apps.tenants.models import Establishment, Site

ESTABLISHMENT = OpenApiParameter("establishment", int, description="Only the rows of this establishment.")
ACTION_LISTS = ("requirement_ids", "establishments")
KIND = OpenApiParameter("kind", str, enum=[k for k, _l in Resource.Kind.choices])


# --- Organization --------------------------------------------------------------------------------

class EstablishmentList(ListModelMixin, OrgApiView):
    capability = "org.view"
    model = Establishment
    serializer_class = s.EstablishmentSerializer

    def get(self, request: Request, **kwargs: Any) -> Response:
        return self.list_response(self.get_queryset())


class SiteList(ListModelMixin, OrgApiView):
    capability = "org.view"
    model = Site
    serializer_class = s.SiteSerializer

    @extend_schema(parameters=[ESTABLISHMENT])
    def get(self, request: Request, **kwargs: Any) -> Response:
        qs = self.get_queryset()
        if (establishment := self.query_int("establishment")) is not None:
            qs = qs.filter(establishment_id=establishment)
        return self.list_response(qs)


# --- BIA -----------------------------------------------------------------------------------------

class ActivityList(ListModelMixin, OrgApiView):
    capability = "bia.view"
    model = Activity
    serializer_class = s.ActivitySerializer

    @extend_schema(parameters=[ESTABLISHMENT, OpenApiParameter(
        "criticality", str, enum=[c for c, _l in Criticality.choices])])
    def get(self, request: Request, **kwargs: Any) -> Response:
        qs = self.get_queryset()
        if (establishment := self.query_int("establishment")) is not None:
            qs = qs.filter(establishment_id=establishment)
        if criticality := self.query_choice("criticality", [c for c, _l in Criticality.choices]):
            qs = qs.filter(criticality=criticality)
        return self.list_response(qs)


class ActivityDetail(OrgApiView):
    capability = "bia.view"
    model = Activity
    serializer_class = s.ActivitySerializer

    def get(self, request: Request, pk: int, **kwargs: Any) -> Response:
        return Response(self.get_serializer(self.object_or_404(self.get_queryset(), pk)).data)


class ResourceList(ListModelMixin, OrgApiView):
    capability = "bia.view"
    write_capability = "bia.change"
    model = Resource
    serializer_class = s.ResourceSerializer

    @extend_schema(parameters=[ESTABLISHMENT, KIND])
    def get(self, request: Request, **kwargs: Any) -> Response:
        qs = self.get_queryset()
        if (establishment := self.query_int("establishment")) is not None:
            qs = qs.filter(establishment_id=establishment)
        if kind := self.query_choice("kind", [k for k, _l in Resource.Kind.choices]):
            qs = qs.filter(kind=kind)
        return self.list_response(qs)

    @extend_schema(request=s.ResourceInputSerializer, responses={201: s.ResourceSerializer})
    def post(self, request: Request, **kwargs: Any) -> Response:
        form = ResourceForm(request_data(request), organization=self.organization)
        resource, error = run_form(form, lambda data: resource_create(
            organization=self.organization, actor=None, data=data))
        if error is not None:
            return error
        return Response(s.ResourceSerializer(resource).data, status=status.HTTP_201_CREATED)


class ResourceDetail(OrgApiView):
    capability = "bia.view"
    write_capability = "bia.change"
    model = Resource
    serializer_class = s.ResourceSerializer

    def get(self, request: Request, pk: int, **kwargs: Any) -> Response:
        return Response(self.get_serializer(self.object_or_404(self.get_queryset(), pk)).data)

    @extend_schema(request=s.ResourceInputSerializer, responses={200: s.ResourceSerializer})
    def patch(self, request: Request, pk: int, **kwargs: Any) -> Response:
        """Change some fields; the others keep their value (validated like the resource page)."""
        resource = self.object_or_404(Resource.objects.writable().filter(organization=self.organization), pk)
        current = model_to_dict(resource, fields=ResourceForm.Meta.fields)
        form = ResourceForm(request_data(request, current), organization=self.organization, instance=resource)
        saved, error = run_form(form, lambda data: resource_update(
            resource=Resource.objects.get(pk=resource.pk, organization=self.organization), actor=None, data=data))
        if error is not None:
            return error
        return Response(s.ResourceSerializer(saved).data)


class ActivityDependencyList(ListModelMixin, OrgApiView):
    capability = "bia.view"
    write_capability = "bia.change"
    model = ActivityDependency
    serializer_class = s.ActivityDependencySerializer

    @extend_schema(parameters=[OpenApiParameter("activity", int), OpenApiParameter("resource", int)])
    def get(self, request: Request, **kwargs: Any) -> Response:
        qs = self.get_queryset()
        for name in ("activity", "resource"):
            if (value := self.query_int(name)) is not None:
                qs = qs.filter(**{f"{name}_id": value})
        return self.list_response(qs)

    @extend_schema(request=s.ActivityDependencyInputSerializer, responses={201: s.ActivityDependencySerializer})
    def post(self, request: Request, **kwargs: Any) -> Response:
        """Link an activity to a resource it needs (created, or its workaround updated when the link exists)."""
        data = request_data(request)
        activity = _row(Activity.objects.filter(organization=self.organization), data.get("activity"))
        if activity is None:
            return Response({"activity": [_("Choose an activity of this organization.")]}, status=400)
        form = ActivityDependencyForm(data, organization=self.organization)
        link, error = run_form(form, lambda d: activity_dependency_set(
            activity=activity, actor=None, resource=d["resource"], workaround_exists=d["workaround_exists"],
            workaround_note=d["workaround_note"], workaround_hours=d.get("workaround_hours")))
        if error is not None:
            return error
        return Response(s.ActivityDependencySerializer(link).data, status=status.HTTP_201_CREATED)


class ResourceDependencyList(ListModelMixin, OrgApiView):
    capability = "bia.view"
    write_capability = "bia.change"
    model = ResourceDependency
    serializer_class = s.ResourceDependencySerializer

    @extend_schema(parameters=[OpenApiParameter("resource", int)])
    def get(self, request: Request, **kwargs: Any) -> Response:
        qs = self.get_queryset()
        if (value := self.query_int("resource")) is not None:
            qs = qs.filter(resource_id=value)
        return self.list_response(qs)

    @extend_schema(request=s.ResourceDependencyInputSerializer, responses={201: s.ResourceDependencySerializer})
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = request_data(request)
        resource = _row(Resource.objects.filter(organization=self.organization), data.get("resource"))
        if resource is None:
            return Response({"resource": [_("Choose a resource of this organization.")]}, status=400)
        form = ResourceDependencyForm(data, organization=self.organization, exclude=resource.pk)
        link, error = run_form(form, lambda d: resource_dependency_set(
            resource=resource, actor=None, depends_on=d["depends_on"], workaround_exists=d["workaround_exists"],
            workaround_note=d["workaround_note"], workaround_hours=d.get("workaround_hours")))
        if error is not None:
            return error
        return Response(s.ResourceDependencySerializer(link).data, status=status.HTTP_201_CREATED)


def _row(queryset: QuerySet[Any], value: Any) -> Any:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    return queryset.filter(pk=pk).first()


class GapList(OrgApiView):
    """The BIA engine's output: every need its dependencies cannot meet (the « Écarts » page), not paginated."""

    capability = "bia.view"
    serializer_class = s.GapSerializer
    pagination_class = None

    @extend_schema(parameters=[OpenApiParameter("kind", str, enum=["rto", "rpo"])],
                   responses={200: s.GapSerializer(many=True)})
    def get(self, request: Request, **kwargs: Any) -> Response:
        kind = self.query_choice("kind", ["rto", "rpo"])
        graph, analysis = bia_analysis(organization=self.organization)
        missing = {id(g) for g in analysis.missing_capabilities}
        gaps = [g for g in [*analysis.gaps, *analysis.missing_capabilities] if kind is None or g.kind == kind]
        data = []
        for row in gap_rows(graph, gaps):
            gap = row.gap
            data.append({
                "kind": gap.kind, "node_kind": row.node_kind, "node_id": gap.node[1], "node_name": row.node_name,
                "required_hours": gap.required_hours, "capable_hours": gap.capable_hours, "measured": gap.measured,
                "ratio": gap.ratio, "missing_capability": id(gap) in missing, "source_activity": gap.source[1],
                "source_name": row.source_name, "source_criticality": row.source_criticality or "",
                "source_establishment": row.source_establishment or "",
                "path": [f"{k}:{pk}" for k, pk in gap.path], "sentence": gap_sentence(row),
            })
        return Response(data)


# --- Plans, exercises, compliance ----------------------------------------------------------------

class PlanVersionList(ListModelMixin, OrgApiView):
    """Approved plan versions (the frozen texts in force)."""

    capability = "plans.view"
    model = PlanVersion
    serializer_class = s.PlanVersionSerializer

    def get(self, request: Request, **kwargs: Any) -> Response:
        return self.list_response(self.get_queryset().filter(status=PlanVersion.Status.APPROVED)
                                  .select_related("plan"))


class ExerciseList(ListModelMixin, OrgApiView):
    capability = "exercises.view"
    model = Exercise
    serializer_class = s.ExerciseSerializer

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=[c for c, _l in Exercise.Status.choices])])
    def get(self, request: Request, **kwargs: Any) -> Response:
        qs = self.get_queryset()
        if value := self.query_choice("status", [c for c, _l in Exercise.Status.choices]):
            qs = qs.filter(status=value)
        return self.list_response(qs)


class RequirementStatusList(OrgApiView):
    """Every CaRE requirement of the catalogue in force with its computed status (not paginated)."""

    capability = "compliance.view"
    serializer_class = s.RequirementStatusSerializer
    pagination_class = None

    @extend_schema(responses={200: s.RequirementStatusSerializer(many=True)})
    def get(self, request: Request, **kwargs: Any) -> Response:
        rows = [{"id": st.requirement.id, "label": str(st.requirement.label), "status": st.status,
                 "evidence": [str(e) for e in st.evidence], "missing": [str(m) for m in st.missing]}
                for st in requirement_statuses(organization=self.organization)]
        return Response(rows)


# --- Backups -------------------------------------------------------------------------------------

class BackupControlList(ListModelMixin, OrgApiView):
    capability = "backups.view"
    write_capability = "backups.change"
    model = BackupControl
    serializer_class = s.BackupControlSerializer

    def get(self, request: Request, **kwargs: Any) -> Response:
        return self.list_response(self.get_queryset())

    @extend_schema(request=s.BackupControlInputSerializer, responses={200: s.BackupControlSerializer})
    def post(self, request: Request, **kwargs: Any) -> Response:
        """Create or update the backup control of one system (the fields sent; the others keep their value)."""
        data = request_data(request)
        resource = _row(Resource.objects.filter(organization=self.organization, kind__in=SYSTEM_KINDS),
                        data.get("resource"))
        if resource is None:
            return Response({"resource": [_("Choose an application or an infrastructure of this organization.")]},
                            status=400)
        control = BackupControl.objects.filter(organization=self.organization, resource=resource).first()
        instance = control or BackupControl(organization=self.organization, resource=resource)
        # A new control starts from the model's defaults, as the page's form does.
        current = model_to_dict(instance, fields=ControlForm.Meta.fields)
        form = ControlForm({**current, **data}, organization=self.organization, instance=instance)
        saved, error = run_form(form, lambda d: backup_services.control_save(
            organization=self.organization, actor=None, resource=resource, data=d))
        if error is not None:
            return error
        return Response(s.BackupControlSerializer(saved).data)


class RestoreTestList(ListModelMixin, OrgApiView):
    capability = "backups.view"
    write_capability = "backups.change"
    model = RestoreTest
    serializer_class = s.RestoreTestSerializer

    @extend_schema(parameters=[OpenApiParameter("resource", int)])
    def get(self, request: Request, **kwargs: Any) -> Response:
        qs = self.get_queryset().select_related("referent_member__user")
        if (value := self.query_int("resource")) is not None:
            qs = qs.filter(resource_id=value)
        return self.list_response(qs)

    @extend_schema(request=s.RestoreTestInputSerializer, responses={201: s.RestoreTestSerializer})
    def post(self, request: Request, **kwargs: Any) -> Response:
        form = RestoreTestForm(request_data(request), organization=self.organization)
        test, error = run_form(form, lambda d: backup_services.restore_test_record(
            organization=self.organization, actor=None, data=d))
        if error is not None:
            return error
        return Response(s.RestoreTestSerializer(test).data, status=status.HTTP_201_CREATED)


class BackupJobList(ListModelMixin, OrgApiView):
    """The job feed (D2.O3.D): the backup tool posts each job's result; failures in a row open an alert."""

    capability = "backups.view"
    write_capability = "backups.change"
    model = BackupJob
    serializer_class = s.BackupJobSerializer

    @extend_schema(parameters=[OpenApiParameter("resource", int)])
    def get(self, request: Request, **kwargs: Any) -> Response:
        qs = self.get_queryset()
        if (value := self.query_int("resource")) is not None:
            qs = qs.filter(resource_id=value)
        return self.list_response(qs)

    @extend_schema(request=s.BackupJobInputSerializer, responses={201: s.BackupJobResultSerializer})
    def post(self, request: Request, **kwargs: Any) -> Response:
        form = BackupJobForm(request_data(request))
        if not form.is_valid():
            return form_error_response(form)
        data = form.cleaned_data
        try:
            resource = feed.find_system(organization=self.organization, resource_id=data.get("resource"),
                                        name=data.get("system") or "")
            outcome = feed.job_record(organization=self.organization, resource=resource,
                                      finished_at=data["finished_at"], success=data["success"],
                                      size_bytes=data.get("size_bytes"), target=data.get("target") or "",
                                      message=data.get("message") or "", reported_by=str(self.token))
            feed.alerts_escalate(organization=self.organization)
        except ValidationError as error:
            form_errors_from(error, form)
            return form_error_response(form)
        body = {"job": s.BackupJobSerializer(outcome.job).data, "consecutive_failures": outcome.consecutive_failures,
                "alert": outcome.alert.pk if outcome.alert else None}
        return Response(body, status=status.HTTP_201_CREATED)


# --- Actions -------------------------------------------------------------------------------------

class ActionList(ListModelMixin, OrgApiView):
    capability = "actions.view"
    write_capability = "actions.change"
    model = Action
    serializer_class = s.ActionSerializer

    def base_queryset(self) -> QuerySet[Any]:
        return (Action.objects.filter(organization=self.organization).select_related("owner_member__user")
                .prefetch_related(Prefetch("establishment_links",
                                           queryset=ActionEstablishment.objects.filter(organization=self.organization))))

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=[c for c, _l in Status.choices])])
    def get(self, request: Request, **kwargs: Any) -> Response:
        qs = self.get_queryset()
        if value := self.query_choice("status", [c for c, _l in Status.choices]):
            qs = qs.filter(status=value)
        return self.list_response(qs)

    @extend_schema(request=s.ActionInputSerializer, responses={201: s.ActionSerializer})
    def post(self, request: Request, **kwargs: Any) -> Response:
        form = ActionForm(request_data(request, lists=ACTION_LISTS), organization=self.organization)
        action, error = run_form(form, lambda d: action_services.action_create(
            organization=self.organization, actor=None, data=d, establishments=list(d.get("establishments") or [])))
        if error is not None:
            return error
        return Response(s.ActionSerializer(self.base_queryset().get(pk=action.pk)).data,
                        status=status.HTTP_201_CREATED)


class ActionDetail(OrgApiView):
    capability = "actions.view"
    write_capability = "actions.change"
    model = Action
    serializer_class = s.ActionSerializer

    def base_queryset(self) -> QuerySet[Any]:
        return ActionList.base_queryset(self)  # type: ignore[arg-type]

    def get(self, request: Request, pk: int, **kwargs: Any) -> Response:
        return Response(self.get_serializer(self.object_or_404(self.get_queryset(), pk)).data)

    @extend_schema(request=s.ActionInputSerializer, responses={200: s.ActionSerializer})
    def patch(self, request: Request, pk: int, **kwargs: Any) -> Response:
        action = self.object_or_404(Action.objects.writable().filter(organization=self.organization), pk)
        current = model_to_dict(action, fields=ActionForm.Meta.fields)
        current["establishments"] = [link.establishment_id for link in action.establishment_links.all()]
        form = ActionForm(request_data(request, current, lists=ACTION_LISTS), organization=self.organization,
                          instance=action)
        _saved, error = run_form(form, lambda d: action_services.action_update(
            action=Action.objects.get(pk=action.pk, organization=self.organization), actor=None, data=d,
            establishments=list(d.get("establishments") or [])))
        if error is not None:
            return error
        return Response(s.ActionSerializer(self.base_queryset().get(pk=action.pk)).data)

