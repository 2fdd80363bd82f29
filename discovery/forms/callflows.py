"""Call-flow forms: a new flow, its details, one change to its latest graph (add a node, add
an edge, remove), and JSON documents to import (uploaded or pasted).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.utils.text import slugify

from discovery.callflow import KEY_PATTERN
from discovery.forms.base import DiscoveryForm, ServiceChoiceField, textarea
from discovery.models import CallFlow, CallFlowState, NodeKind, ServiceLine

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024  # a call-flow document; 500 nodes fit many times over


# --- Call flows ----------------------------------------------------------------------------


class CallFlowForm(DiscoveryForm):
    service_line = ServiceChoiceField(queryset=None, label="Service", empty_label="Choose")
    name = forms.CharField(max_length=200, help_text="e.g. “After-hours nurse line”.")
    state = forms.ChoiceField(
        choices=CallFlowState.choices,
        help_text="Current state: how calls flow at the client today. Future state: how they "
        "will flow with the provider.",
    )
    description = forms.CharField(required=False, widget=textarea(2))
    start_from = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Start from",
        empty_label="An empty flow",
        help_text="Copy the latest version of another call flow as version 1, e.g. the "
        "current state when drawing the future state.",
    )
    internal_notes = forms.CharField(
        required=False,
        widget=textarea(2),
        help_text="Provider staff only; never shown to client executives.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_line"].queryset = self.visible(ServiceLine).order_by("name")
        flows = self.visible(CallFlow).filter(latest_version__isnull=False)
        self.fields["start_from"].queryset = flows.select_related("service_line")
        self.fields["start_from"].label_from_instance = lambda flow: (
            f"{flow.service_line.name} · {flow}"
        )


class CallFlowDetailsForm(DiscoveryForm):
    model = CallFlow

    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=textarea(2))
    internal_notes = forms.CharField(
        required=False,
        widget=textarea(2),
        help_text="Provider staff only; never shown to client executives.",
    )


class GraphForm(forms.Form):
    """A change to the latest graph of a call flow; `apply` returns the new document."""

    prefix_name = ""

    def __init__(self, *args, graph: dict, **kwargs):
        kwargs.setdefault("prefix", self.prefix_name or None)
        super().__init__(*args, **kwargs)
        self.graph = graph
        self.nodes = {node["key"]: node for node in graph["nodes"]}
        self.node_choices = [
            (node["key"], f"{node['label'] or node['key']} ({NodeKind(node['kind']).label})")
            for node in graph["nodes"]
        ]

    def document(self) -> dict:
        return {
            "nodes": [dict(node) for node in self.graph["nodes"]],
            "edges": [dict(edge) for edge in self.graph["edges"]],
        }

    def has_edge(self, source: str, target: str) -> bool:
        return any(e["source"] == source and e["target"] == target for e in self.graph["edges"])


class AddNodeForm(GraphForm):
    prefix_name = "node"

    kind = forms.ChoiceField(choices=[("", "Choose a kind"), *NodeKind.choices])
    label = forms.CharField(max_length=200, help_text="What the caller hears or what happens.")
    key = forms.CharField(
        max_length=60,
        required=False,
        help_text="A short identifier; made from the label when left empty.",
    )
    connect_from = forms.ChoiceField(
        required=False, label="Reached from", help_text="Optional: add an edge to the new node."
    )
    condition = forms.CharField(
        max_length=200, required=False, help_text="e.g. “Press 1”, “Hold > 2 min”."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["connect_from"].choices = [("", "No edge yet"), *self.node_choices]

    def clean_key(self) -> str:
        key = self.cleaned_data["key"].strip()
        if key and not KEY_PATTERN.match(key):
            raise forms.ValidationError(
                "Use letters, digits, “_”, “-” and “.”, starting with a letter or digit."
            )
        if key in self.nodes:
            raise forms.ValidationError(f"The flow already has a node “{key}”.")
        return key

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not data["key"]:
            data["key"] = self._key_from(data["label"], data["kind"])
        if data.get("condition") and not data.get("connect_from"):
            self.add_error("connect_from", "Choose the node the condition leads from.")
        return data

    def _key_from(self, label: str, kind: str) -> str:
        base = re.sub(r"[^a-z0-9]+", "_", slugify(label).lower()).strip("_")[:50] or kind
        key, n = base, 2
        while key in self.nodes:
            key, n = f"{base}_{n}", n + 1
        return key

    def apply(self) -> tuple[dict, str]:
        data = self.cleaned_data
        document = self.document()
        document["nodes"].append({"key": data["key"], "kind": data["kind"], "label": data["label"]})
        note = f"Added {NodeKind(data['kind']).label.lower()} “{data['label']}”"
        if data.get("connect_from"):
            document["edges"].append(
                {
                    "source": data["connect_from"],
                    "target": data["key"],
                    "condition": data.get("condition", ""),
                }
            )
            note += f", reached from “{self.nodes[data['connect_from']]['label']}”"
        return document, note + "."


class AddEdgeForm(GraphForm):
    prefix_name = "edge"

    source = forms.ChoiceField(label="From")
    target = forms.ChoiceField(label="To")
    condition = forms.CharField(
        max_length=200, required=False, help_text="When calls take this way, e.g. “Press 2”."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "Choose"), *self.node_choices]
        self.fields["target"].choices = [("", "Choose"), *self.node_choices]

    def clean(self):
        data = super().clean()
        source, target = data.get("source"), data.get("target")
        if source and target and self.has_edge(source, target):
            self.add_error(
                "target",
                "There is already an edge between these nodes; remove it first to change its "
                "condition.",
            )
        return data

    def apply(self) -> tuple[dict, str]:
        data = self.cleaned_data
        document = self.document()
        document["edges"].append(
            {"source": data["source"], "target": data["target"], "condition": data["condition"]}
        )
        label = f"“{self.nodes[data['source']]['label']}” → “{self.nodes[data['target']]['label']}”"
        return document, f"Added the edge {label}."


class RemoveForm(GraphForm):
    """Remove a node (with its edges) or one edge."""

    prefix_name = "remove"

    node = forms.CharField(required=False)
    source = forms.CharField(required=False)
    target = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        node, source, target = data.get("node"), data.get("source"), data.get("target")
        if node:
            if node not in self.nodes:
                raise forms.ValidationError(f"The flow has no node “{node}”.")
        elif source and target:
            if not self.has_edge(source, target):
                raise forms.ValidationError("The flow has no such edge.")
        else:
            raise forms.ValidationError("Choose a node or an edge to remove.")
        return data

    def apply(self) -> tuple[dict, str]:
        data = self.cleaned_data
        document = self.document()
        if node := data.get("node"):
            document["nodes"] = [n for n in document["nodes"] if n["key"] != node]
            document["edges"] = [
                e for e in document["edges"] if node not in (e["source"], e["target"])
            ]
            return document, f"Removed “{self.nodes[node]['label'] or node}” and its edges."
        source, target = data["source"], data["target"]
        document["edges"] = [
            e for e in document["edges"] if (e["source"], e["target"]) != (source, target)
        ]
        label = f"“{self.nodes[source]['label']}” → “{self.nodes[target]['label']}”"
        return document, f"Removed the edge {label}."


class DocumentFormMixin:
    """A JSON call-flow document, uploaded as a file or pasted."""

    def clean_document_fields(self, data: dict) -> Any:
        upload, text = data.get("file"), (data.get("text") or "").strip()
        if upload and text:
            self.add_error("file", "Upload a file or paste the document, not both.")
            return None
        if not upload and not text:
            self.add_error("file", "Upload a JSON file or paste the document.")
            return None
        field = "file" if upload else "text"
        if upload:
            if upload.size > MAX_DOCUMENT_BYTES:
                self.add_error("file", "The file is larger than 2 MB; a call flow is far smaller.")
                return None
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", "The file is not UTF-8 text; export it as JSON.")
                return None
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            self.add_error(
                field,
                f"Not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}).",
            )
            return None
        if not isinstance(document, dict):
            self.add_error(field, "The document must be a JSON object.")
            return None
        return document


class CallFlowImportForm(DocumentFormMixin, DiscoveryForm):
    service_line = ServiceChoiceField(queryset=None, label="Service", empty_label="Choose")
    name = forms.CharField(
        max_length=200, required=False, help_text="Leave empty to use the name in the document."
    )
    state = forms.ChoiceField(
        required=False,
        choices=[("", "As in the document"), *CallFlowState.choices],
    )
    file = forms.FileField(required=False, label="JSON file", help_text="As exported here.")
    text = forms.CharField(
        required=False,
        label="…or paste the document",
        widget=textarea(8, spellcheck="false", **{"class": "code"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_line"].queryset = self.visible(ServiceLine).order_by("name")

    def clean(self):
        data = super().clean()
        data["document"] = self.clean_document_fields(data)
        return data


class VersionImportForm(DocumentFormMixin, DiscoveryForm):
    file = forms.FileField(required=False, label="JSON file", help_text="As exported here.")
    text = forms.CharField(
        required=False,
        label="…or paste the document",
        widget=textarea(8, spellcheck="false", **{"class": "code"}),
    )
    note = forms.CharField(
        max_length=2000,
        required=False,
        widget=textarea(2),
        help_text="What changed in this version.",
    )

    def clean(self):
        data = super().clean()
        data["document"] = self.clean_document_fields(data)
        return data
