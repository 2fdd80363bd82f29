"""Forms for the transition pages.

Forms only read: choice lists come from the access policy, the selectors or rows the view
already loaded (a 200-task plan must not cost a query per select), and the domain rules stay
in the models and services, whose errors `add_service_error` puts back on the field they name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from partnerships.forms import DateInput, UserChoiceField, editable_initial
from partnerships.selectors import pm_choices
from transition import imports
from transition.models import (
    MAX_LAG_DAYS,
    MIN_LAG_DAYS,
    AdkarStage,
    Channel,
    Decision,
    KnowledgeCategory,
    Outcome,
    OutcomeStatus,
    Phase,
    PlanTask,
    StaffRole,
    Support,
    TaskStatus,
)

if TYPE_CHECKING:
    from tenancy.models import Organization

BUILTIN_TEMPLATE = ""  # the template shipped with Switchboard, chosen by default
BLANK_DEPENDENCY_ROWS = 2


def _owner_field(organization: Organization, **kwargs) -> UserChoiceField:
    return UserChoiceField(
        queryset=pm_choices(organization=organization),
        required=False,
        empty_label="Nobody yet",
        help_text="A provider member of the organization.",
        **kwargs,
    )


# --- The plan --------------------------------------------------------------------------


class PlanCreateForm(forms.Form):
    template = forms.ChoiceField(required=False, label="Template")
    go_live = forms.DateField(
        label="Go-live date",
        widget=DateInput(),
        help_text="Every task is laid out relative to this date.",
    )

    def __init__(self, *args, templates, builtin_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.templates = {str(template.pk): template for template in templates}
        self.fields["template"].choices = [
            (BUILTIN_TEMPLATE, f"{builtin_name} (shipped with Switchboard)"),
            *((pk, template.name) for pk, template in self.templates.items()),
        ]

    def clean_template(self):
        return self.templates.get(self.cleaned_data["template"])


class SaveAsTemplateForm(forms.Form):
    name = forms.CharField(max_length=200, label="Template name")
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Description"
    )


class TaskForm(forms.Form):
    """A task and its predecessors. The predecessor selects are built from the plan's tasks
    the view already holds; `dependencies` carries the errors about them as a whole (a cycle
    names its path there)."""

    title = forms.CharField(max_length=200)
    phase = forms.ChoiceField(choices=Phase.choices)
    owner = forms.ModelChoiceField(queryset=None, required=False)  # replaced in __init__
    start = forms.DateField(widget=DateInput())
    due = forms.DateField(
        required=False,
        widget=DateInput(),
        help_text="Inclusive. A milestone is due on its start date.",
    )
    status = forms.ChoiceField(choices=TaskStatus.choices)
    is_milestone = forms.BooleanField(required=False, label="Milestone")
    estimate_hours = forms.DecimalField(
        required=False, min_value=0, max_digits=6, decimal_places=1, label="Estimate (hours)"
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    dependencies = forms.CharField(required=False, widget=forms.HiddenInput)
    auto_schedule = forms.BooleanField(
        required=False,
        label="Move dependants too",
        help_text=(
            "When this task moves later, move the tasks that depend on it as far as their "
            "dependencies require. Unticked, the conflicts are flagged for you to resolve."
        ),
    )

    def __init__(self, *args, organization: Organization, task, tasks, links, **kwargs):
        initial = editable_initial(task)
        for index, link in enumerate(links):
            initial[f"pred_{index}"] = str(link.predecessor)
            initial[f"lag_{index}"] = link.lag
        super().__init__(*args, initial=initial, **kwargs)
        self.task = task
        self.fields["owner"] = _owner_field(organization)
        self.candidates = {str(t.pk): t for t in tasks if t.pk != task.pk}
        choices = [("", "—"), *((pk, t.title) for pk, t in self.candidates.items())]
        self.row_count = len(links) + BLANK_DEPENDENCY_ROWS
        for index in range(self.row_count):
            self.fields[f"pred_{index}"] = forms.ChoiceField(
                choices=choices, required=False, label=f"Predecessor {index + 1}"
            )
            self.fields[f"lag_{index}"] = forms.IntegerField(
                required=False,
                min_value=MIN_LAG_DAYS,
                max_value=MAX_LAG_DAYS,
                label=f"Lag {index + 1} (days)",
                widget=forms.NumberInput(attrs={"class": "lag-input"}),
            )

    @property
    def dependency_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"pred_{i}"], self[f"lag_{i}"]) for i in range(self.row_count)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("is_milestone") and data.get("start") and not data.get("due"):
            data["due"] = data["start"]
        elif data.get("start") and not data.get("due"):
            self.add_error("due", "Give the due date.")
        pairs = []
        for index in range(self.row_count):
            chosen = data.get(f"pred_{index}")
            if chosen:
                lag = data.get(f"lag_{index}")
                pairs.append((self.candidates[chosen], lag or 0))
        data["dependencies"] = pairs
        return data

    def service_fields(self) -> dict[str, Any]:
        fields = {name: self.cleaned_data.get(name) for name in PlanTask.EDITABLE_FIELDS}
        fields["notes"] = fields["notes"] or ""
        return fields


class BulkStatusForm(forms.Form):
    tasks = forms.MultipleChoiceField(
        label="Tasks", widget=forms.CheckboxSelectMultiple, error_messages={"required": ""}
    )
    status = forms.ChoiceField(choices=[("", "Set status to…"), *TaskStatus.choices])

    def __init__(self, *args, task_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tasks"].choices = [(str(pk), str(pk)) for pk in task_ids]
        self.fields["tasks"].error_messages["required"] = "Tick at least one task."
        self.fields["tasks"].error_messages["invalid_choice"] = (
            "One of the ticked tasks is no longer open or yours; reload the page."
        )
        self.fields["status"].error_messages["required"] = "Choose the new status."


# --- Go/no-go --------------------------------------------------------------------------


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(
        label="Why",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded with the decision and the checklist as it stands now.",
    )


# --- People ----------------------------------------------------------------------------


def _lines(value: str) -> list[str]:
    items = []
    for line in (value or "").replace(";", "\n").splitlines():
        if line.strip():
            items.append(line.strip())
    return items


class StaffForm(forms.Form):
    full_name = forms.CharField(max_length=200, label="Full name")
    role = forms.ChoiceField(choices=StaffRole.choices)
    site = forms.CharField(
        max_length=120,
        required=False,
        help_text="Site of employment (the notice check counts lay-offs per site).",
    )
    tenure_years = forms.DecimalField(
        required=False, min_value=0, max_value=70, decimal_places=1, label="Tenure (years)"
    )
    work_email = forms.EmailField(required=False, label="Work e-mail")
    knowledge_areas = forms.CharField(
        required=False,
        label="Knowledge areas",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line (or separated by semicolons).",
    )
    outcome = forms.ChoiceField(choices=Outcome.choices)
    outcome_status = forms.ChoiceField(choices=OutcomeStatus.choices, label="Outcome status")
    notice_date = forms.DateField(required=False, widget=DateInput(), label="Notice date")
    last_day = forms.DateField(
        required=False, widget=DateInput(), label="Last day", help_text="On the triage line."
    )
    recognition = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="How this person's work was honoured.",
    )
    support_offered = forms.MultipleChoiceField(
        choices=Support.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Support offered",
    )
    support_details = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Support details"
    )
    hr_notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="HR notes"
    )
    HR_FIELDS = ("support_offered", "support_details", "hr_notes")

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None:
            initial = editable_initial(instance)
            initial["knowledge_areas"] = "\n".join(instance.knowledge_areas or [])
            kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)

    def clean_knowledge_areas(self) -> list[str]:
        return _lines(self.cleaned_data.get("knowledge_areas", ""))

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["site"] = data.get("site") or ""
        data["work_email"] = data.get("work_email") or ""
        for name in ("recognition", "support_details", "hr_notes"):
            data[name] = data.get(name) or ""
        return data


class StaffImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "A header row, then one person per row. Columns: full_name (required), role, site, "
            "tenure_years, knowledge_areas (separated by ;), work_email, outcome, "
            "outcome_status, notice_date, last_day (YYYY-MM-DD), support_offered (separated "
            "by ;), recognition. A row whose work e-mail is already on the roster updates "
            "that person."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_IMPORT_BYTES:
            raise forms.ValidationError(imports.TOO_LARGE)
        return upload


class CheckInForm(forms.Form):
    score = forms.TypedChoiceField(
        coerce=int,
        choices=[
            (1, "1 · very negative"),
            (2, "2 · negative"),
            (3, "3 · neutral"),
            (4, "4 · positive"),
            (5, "5 · very positive"),
        ],
        widget=forms.RadioSelect,
        label="How do they feel about the transition?",
    )
    checked_on = forms.DateField(required=False, widget=DateInput(), label="Checked on")
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="HR-sensitive: shown to admins, the account manager and the PMs only.",
    )


class GroupForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    headcount = forms.IntegerField(required=False, min_value=0)
    adkar_stage = forms.ChoiceField(
        choices=AdkarStage.choices,
        label="Change-readiness stage (ADKAR)",
        help_text=(
            "Awareness of the need for change, desire to take part, knowledge of how, ability "
            "to do it, reinforcement to sustain it."
        ),
    )

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None:
            kwargs["initial"] = editable_initial(instance)
        super().__init__(*args, **kwargs)

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["description"] = data.get("description") or ""
        return data


class KnowledgeForm(forms.Form):
    source = forms.ChoiceField(required=False, label="Captured from")
    category = forms.ChoiceField(choices=KnowledgeCategory.choices)
    title = forms.CharField(max_length=200)
    subject = forms.CharField(
        max_length=200, required=False, help_text="Who or what it is about, e.g. “Dr. Patel”."
    )
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="What they know")
    captured_on = forms.DateField(required=False, widget=DateInput(), label="Captured on")

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(person.pk): person for person in people}
        self.fields["source"].choices = [
            ("", "—"),
            *((pk, person.full_name) for pk, person in self.people.items()),
        ]

    def clean_source(self):
        return self.people.get(self.cleaned_data.get("source") or "")

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["subject"] = data.get("subject") or ""
        if not data.get("captured_on"):
            data.pop("captured_on", None)
        return data


class CommunicationForm(forms.Form):
    audience = forms.CharField(max_length=200)
    group = forms.ChoiceField(required=False, label="Stakeholder group")
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    channel = forms.ChoiceField(choices=Channel.choices)
    planned_on = forms.DateField(widget=DateInput(), label="Planned date")
    owner = forms.ModelChoiceField(queryset=None, required=False)  # replaced in __init__

    def __init__(self, *args, organization: Organization, groups, instance=None, **kwargs):
        if instance is not None:
            kwargs["initial"] = editable_initial(instance)
            kwargs["initial"]["group"] = str(instance.group_id or "")
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _owner_field(organization)
        self.groups = {str(group.pk): group for group in groups}
        self.fields["group"].choices = [
            ("", "—"),
            *((pk, group.name) for pk, group in self.groups.items()),
        ]

    def clean_group(self):
        return self.groups.get(self.cleaned_data.get("group") or "")

    def service_fields(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
