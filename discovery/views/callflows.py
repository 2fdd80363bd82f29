"""Call flows: the list per service, a version drawn with its problems and tables (current
and future state side by side), the comparison of two versions, JSON import and export, and
the editor whose every change saves a new version. Client executives read only.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.text import slugify
from django.views.generic import TemplateView, View

from discovery import forms, selectors, services
from discovery.callflow import call_flow_diff, diff_is_empty
from discovery.models import CallFlow, CallFlowState, CallFlowVersion, DiscoverySignOff, ServiceLine
from discovery.views.base import DiscoveryActionView, DiscoveryFormView, DiscoveryMixin
from discovery.views.diagrams import (
    NODE_KIND_LEGEND,
    diagram,
    diff_marks,
    flow_panel,
    graph_of,
    graph_tables,
    kind_labels,
    with_kind_labels,
)
from partnerships.base import pk_or_404
from partnerships.forms import add_service_error
from tenancy import access
from tenancy.access import Action
from tenancy.errors import ApplicationError
from tenancy.rest import NOT_FOUND

# --- Call flows ----------------------------------------------------------------------------


class CallFlowMixin(DiscoveryMixin):
    model = CallFlow
    section = "callflows"
    queryset = CallFlow.objects.select_related("service_line", "latest_version")

    def frozen_for(self, flow: CallFlow) -> DiscoverySignOff | None:
        """Only current-state flows belong to what discovery signs off."""
        return self.open_sign_off if flow.state == CallFlowState.CURRENT else None

    def flow_url(self, name: str, flow: CallFlow | None = None) -> str:
        return self.url(name, pk=(flow or self.object).pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kind_legend"] = NODE_KIND_LEGEND
        if self.object is not None:
            context["flow"] = self.object
            context["frozen"] = self.frozen_for(self.object)
        return context


class CallFlowListView(CallFlowMixin, TemplateView):
    """Every call flow of the partnership by service: current and future state, versions,
    valid or how many problems, reviewed."""

    template_name = "discovery/callflow_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        flows = list(
            self.visible(CallFlow)
            .select_related("service_line", "latest_version__reviewed_by")
            .annotate(version_count=Count("versions"))
            .order_by("service_line__name", "state", "name")
        )
        by_service: dict[int, list[CallFlow]] = {}
        for flow in flows:
            by_service.setdefault(flow.service_line_id, []).append(flow)
        groups = []
        for service in self.visible(ServiceLine).order_by("name"):
            service_flows = by_service.get(service.pk, [])
            states = {flow.state for flow in service_flows}
            groups.append(
                {
                    "service": service,
                    "flows": service_flows,
                    "both_states": states == {CallFlowState.CURRENT, CallFlowState.FUTURE},
                }
            )
        context.update(groups=groups, flow_count=len(flows))
        return context


class CallFlowDetailView(CallFlowMixin, TemplateView):
    """One version of a flow, drawn; its problems by name; its nodes and edges as tables;
    the other state of the same service's flow side by side."""

    template_name = "discovery/callflow_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        flow = self.object
        versions = list(
            access.visible(self.membership, CallFlowVersion)
            .filter(call_flow=flow)
            .select_related("created_by", "reviewed_by")
            .order_by("-number")
        )
        number = self.request.GET.get("version")
        if number:
            version = next((v for v in versions if str(v.number) == number.strip()), None)
            if version is None:
                raise Http404(NOT_FOUND)
        else:
            version = versions[0] if versions else None
        panel = flow_panel(flow, version, "graph-main")
        counterpart = self.counterpart(flow)
        side_by_side = None
        if counterpart is not None and counterpart.latest_version is not None and version:
            other = flow_panel(counterpart, counterpart.latest_version, "graph-other")
            pair = [panel, other] if flow.state == CallFlowState.CURRENT else [other, panel]
            side_by_side = pair
        context.update(
            versions=versions,
            version=version,
            is_latest=version is not None and version.pk == flow.latest_version_id,
            panel=panel,
            tables=graph_tables(graph_of(version), version.problems if version else []),
            counterpart=counterpart,
            side_by_side=side_by_side,
        )
        return context

    def counterpart(self, flow: CallFlow) -> CallFlow | None:
        """The same service's flow in the other state: the one of the same name, or the
        only one."""
        others = list(
            self.visible(CallFlow)
            .filter(service_line_id=flow.service_line_id)
            .exclude(state=flow.state)
            .select_related("service_line", "latest_version")
            .order_by("name")
        )
        same_name = [o for o in others if o.name.strip().lower() == flow.name.strip().lower()]
        if same_name:
            return same_name[0]
        return others[0] if len(others) == 1 else None


class CallFlowCreateView(DiscoveryFormView):
    model = CallFlow
    section = "callflows"
    form_class = forms.CallFlowForm
    page_title = "Add a call flow"
    intro = (
        "How calls of one service move, in the current state (at the client today) or the "
        "future state (with the provider). Draw it node by node next, or import a JSON "
        "document instead."
    )
    submit_label = "Add call flow"
    frozen_record = False

    def get_cancel_url(self) -> str:
        return self.url("callflows")

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        if service := self.request.GET.get("service", "").strip():
            initial["service_line"] = service  # a choice outside the form's list is ignored
        return initial

    def perform(self, form) -> str:
        data = form.cleaned_data
        source = data.get("start_from")
        flow = services.call_flow_create(
            actor=self.actor,
            partnership=self.partnership,
            service_line=data["service_line"],
            name=data["name"],
            state=data["state"],
            description=data["description"],
            internal_notes=data.get("internal_notes", ""),
            graph=source.latest_version.graph if source else None,
            note=f"Copied from {source} v{source.latest_version.number}." if source else "",
        )
        self.created = flow
        return f"Call flow “{flow.name}” added."

    def get_success_url(self) -> str:
        return self.url("callflow-edit", pk=self.created.pk)


class CallFlowImportView(DiscoveryFormView):
    model = CallFlow
    section = "callflows"
    form_class = forms.CallFlowImportForm
    page_title = "Import a call flow"
    intro = (
        "A call flow exported from Switchboard (or a graph document with nodes and edges). "
        "Its graph becomes version 1 of a new call flow, validated as it is saved."
    )
    submit_label = "Import"
    multipart = True
    frozen_record = False

    def get_cancel_url(self) -> str:
        return self.url("callflows")

    def perform(self, form) -> str:
        data = form.cleaned_data
        flow = services.call_flow_import(
            actor=self.actor,
            partnership=self.partnership,
            service_line=data["service_line"],
            document=data["document"],
            name=data["name"] or None,
            state=data["state"] or None,
        )
        self.created = flow
        return f"Call flow “{flow.name}” imported."

    def put_error(self, form, error) -> None:
        document_error(form, error)

    def get_success_url(self) -> str:
        return self.url("callflow-detail", pk=self.created.pk)


def document_error(form, error) -> None:
    """Errors about the graph or the document belong to whichever input held it."""
    if isinstance(error, ApplicationError) and error.field in ("graph", "document"):
        field = "text" if (form.cleaned_data.get("text") or "").strip() else "file"
        form.add_error(field, error.message)
        return
    add_service_error(form, error)


class CallFlowVersionImportView(CallFlowMixin, DiscoveryFormView):
    form_class = forms.VersionImportForm
    submit_label = "Import as a new version"
    multipart = True
    frozen_record = False

    def get_page_title(self) -> str:
        return f"Import a new version of “{self.object.name}”"

    def get_cancel_url(self) -> str:
        return self.flow_url("callflow-detail")

    def perform(self, form) -> str:
        version = services.call_flow_version_create(
            actor=self.actor,
            call_flow=self.object,
            graph=form.cleaned_data["document"],
            note=form.cleaned_data["note"] or "Imported.",
        )
        return version_message(version)

    def put_error(self, form, error) -> None:
        document_error(form, error)

    def get_success_url(self) -> str:
        return self.flow_url("callflow-detail")


def version_message(version: CallFlowVersion) -> str:
    count = len(version.problems)
    if not count:
        return f"Version {version.number} saved; it is valid."
    return f"Version {version.number} saved with {count} problem{'s' if count > 1 else ''}."


class CallFlowExportView(CallFlowMixin, View):
    """A version as a JSON document (a download) that the imports read back."""

    def get(self, request, *args, **kwargs):
        flow = self.object
        number = request.GET.get("version")
        version = selectors.call_flow_version_get(
            call_flow=flow, number=pk_or_404(number) if number else None
        )
        if version is None:
            raise Http404(NOT_FOUND)
        version.call_flow = flow
        document = selectors.call_flow_export(version=version)
        services.call_flow_exported(actor=self.actor, version=version)
        response = HttpResponse(
            json.dumps(document, indent=2, ensure_ascii=False) + "\n",
            content_type="application/json",
        )
        name = slugify(f"{flow.name} {flow.state} v{version.number}") or "call-flow"
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response


class CallFlowEditorMixin(CallFlowMixin):
    """The editor page: details, add a node, add an edge, remove; every change to the graph
    saves a new version of the flow."""

    template_name = "discovery/callflow_edit.html"
    object_action = Action.CHANGE_WORK

    @cached_property
    def latest_graph(self) -> dict:
        return graph_of(self.object.latest_version)

    def editor_context(self, **bound) -> dict[str, Any]:
        flow = self.object
        graph = self.latest_graph
        version = flow.latest_version
        problems = version.problems if version else []
        editor_forms = {
            "details_form": forms.CallFlowDetailsForm(
                membership=self.membership, partnership=self.partnership, instance=flow
            ),
            "node_form": forms.AddNodeForm(graph=graph),
            "edge_form": forms.AddEdgeForm(graph=graph),
        }
        editor_forms.update(bound)
        return {
            **editor_forms,
            "version": version,
            "panel": flow_panel(flow, version, "graph-main"),
            "tables": graph_tables(graph, problems),
        }

    def render_editor(self, status: int = 200, **bound):
        context = self.get_context_data(**self.editor_context(**bound))
        return self.render_to_response(context, status=status)


class CallFlowEditView(CallFlowEditorMixin, TemplateView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "details_form" not in kwargs:
            context.update(self.editor_context())
        return context

    def post(self, request, *args, **kwargs):
        form = forms.CallFlowDetailsForm(
            request.POST,
            membership=self.membership,
            partnership=self.partnership,
            instance=self.object,
        )
        if form.is_valid():
            try:
                services.call_flow_update(
                    actor=self.actor, call_flow=self.object, **form.service_fields()
                )
            except (ApplicationError, ValidationError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Call flow details saved.")
                return redirect(self.flow_url("callflow-edit"))
        return self.render_editor(details_form=form)


class CallFlowGraphChangeView(CallFlowEditorMixin, TemplateView):
    """POST only: one change to the latest graph, saved as the next version."""

    http_method_names = ["post"]
    graph_form_class: type[forms.GraphForm] = forms.AddNodeForm
    context_name = "node_form"

    def post(self, request, *args, **kwargs):
        form = self.graph_form_class(request.POST, graph=self.latest_graph)
        if form.is_valid():
            document, note = form.apply()
            try:
                version = services.call_flow_version_create(
                    actor=self.actor, call_flow=self.object, graph=document, note=note
                )
            except ApplicationError as error:
                if self.frozen_for(self.object):
                    # A frozen flow's editor shows no forms to hold the error.
                    messages.error(request, error.message)
                form.add_error(None, error.message)
                return self.render_editor(
                    status=409 if error.status == 409 else 200, **{self.context_name: form}
                )
            messages.success(request, f"{note} {version_message(version)}")
            return redirect(self.flow_url("callflow-edit"))
        if self.context_name == "remove_form":
            for error in form.non_field_errors():
                messages.error(request, error)
            return redirect(self.flow_url("callflow-edit"))
        return self.render_editor(**{self.context_name: form})


class CallFlowAddNodeView(CallFlowGraphChangeView):
    graph_form_class = forms.AddNodeForm
    context_name = "node_form"


class CallFlowAddEdgeView(CallFlowGraphChangeView):
    graph_form_class = forms.AddEdgeForm
    context_name = "edge_form"


class CallFlowRemoveView(CallFlowGraphChangeView):
    graph_form_class = forms.RemoveForm
    context_name = "remove_form"


class CallFlowReviewView(CallFlowMixin, DiscoveryActionView):
    """A person confirms the latest version matches how calls really flow."""

    def perform(self) -> str:
        version = self.object.latest_version
        if version is None:
            raise ApplicationError("This call flow has no version to review yet.")
        version.call_flow = self.object
        version.partnership = self.partnership
        services.call_flow_version_review(actor=self.actor, version=version)
        return f"Version {version.number} of “{self.object.name}” marked as reviewed."

    def get_success_url(self) -> str:
        return self.flow_url("callflow-detail")


class CallFlowDeleteView(CallFlowMixin, DiscoveryActionView):
    def perform(self) -> str:
        services.call_flow_delete(actor=self.actor, call_flow=self.object)
        return f"Call flow “{self.object}” removed with its versions."

    def get_success_url(self) -> str:
        return self.url("callflows")

    def get_failure_url(self) -> str:
        return self.flow_url("callflow-detail")


class CallFlowDiffView(CallFlowMixin, TemplateView):
    """Two versions compared: nodes and edges added, removed and changed. Any two versions
    of the flows of the same service, so the future state compares with the current one."""

    template_name = "discovery/callflow_diff.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        flow = self.object
        candidates = list(
            access.visible(self.membership, CallFlowVersion)
            .filter(partnership=self.partnership, call_flow__service_line_id=flow.service_line_id)
            .select_related("call_flow")
            .order_by("call_flow__state", "call_flow__name", "-number")
        )
        by_pk = {version.pk: version for version in candidates}
        own = [v for v in candidates if v.call_flow_id == flow.pk]  # newest first
        after = self._pick("to", by_pk) or (own[0] if own else None)
        before = self._pick("from", by_pk)
        if before is None and after is not None:
            earlier = [
                v for v in own if v.call_flow_id == after.call_flow_id and v.number < after.number
            ]
            others = [v for v in candidates if v.call_flow_id != after.call_flow_id]
            before = earlier[0] if earlier else (others[0] if others else None)
        result = None
        if before is not None and after is not None:
            diff = call_flow_diff(before.graph, after.graph)
            marks_before, marks_after = diff_marks(diff)
            labels = {
                n["key"]: n["label"] or n["key"]
                for graph in (before.graph, after.graph)
                for n in graph.get("nodes", [])
            }
            result = {
                "diff": diff,
                "empty": diff_is_empty(diff),
                "before": {
                    "version": before,
                    "id": "graph-before",
                    "diagram": diagram(before.graph, marks=marks_before),
                },
                "after": {
                    "version": after,
                    "id": "graph-after",
                    "diagram": diagram(after.graph, marks=marks_after),
                },
                "nodes_added": with_kind_labels(diff["nodes_added"]),
                "nodes_removed": with_kind_labels(diff["nodes_removed"]),
                "edges": {
                    name: [
                        {
                            **edge,
                            "source_label": labels.get(edge["source"], edge["source"]),
                            "target_label": labels.get(edge["target"], edge["target"]),
                        }
                        for edge in diff[name]
                    ]
                    for name in ("edges_added", "edges_removed", "edges_changed")
                },
                "nodes_changed": [
                    {
                        "key": row["key"],
                        "label": labels.get(row["key"], row["key"]),
                        "changes": [
                            (name, *kind_labels(name, pair))
                            for name, pair in row["changes"].items()
                        ],
                    }
                    for row in diff["nodes_changed"]
                ],
                "labels": labels,
            }
        context.update(
            candidates=candidates,
            before=before,
            after=after,
            result=result,
        )
        return context

    def _pick(self, name: str, by_pk: dict) -> CallFlowVersion | None:
        raw = self.request.GET.get(name, "")
        try:
            return by_pk.get(int(raw))
        except ValueError:
            return None
