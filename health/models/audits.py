from __future__ import annotations

from django.conf import settings
from django.db import models

from partnerships.models import PartnershipOwnedModel, partnership_key
from tenancy.validators import sane_date, text_limit


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_APPLICABLE = "na", "Not applicable"


class TriageError(models.TextChoices):
    NONE = "none", "Disposition correct"
    UNDER = "under", "Under-triage (sent to a lower level of care than needed)"
    OVER = "over", "Over-triage (sent to a higher level of care than needed)"


# The compassion rubric, in the order a QA nurse scores a call.
COMPASSION_ITEMS = (
    ("introduction", "Introduction and name"),
    ("empathy", "Empathy statement"),
    ("plain_language", "Plain language fitted to the caller"),
    ("teach_back", "Teach-back"),
    ("safety_net", "Safety-net advice"),
    ("respectful_closing", "Respectful closing"),
)


def _answer(label: str) -> models.CharField:
    return models.CharField(
        max_length=3, choices=Answer.choices, default=Answer.NOT_APPLICABLE, verbose_name=label
    )


class CallAudit(PartnershipOwnedModel):
    """A QA nurse's audit of one triage call: protocol, disposition (and if wrong, under- or
    over-triage), documentation, and the compassion rubric. Not-applicable items leave the
    denominator; a missed red flag fails the audit whatever the rest."""

    partnership = partnership_key(related_name="call_audits")
    service_line = models.ForeignKey(
        "discovery.ServiceLine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="call_audits",
        verbose_name="service",
    )
    call_date = models.DateField(validators=[sane_date])
    call_reference = models.CharField(
        max_length=100, blank=True, help_text="The call's id in the telephony system (no PHI)."
    )
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The QA nurse who audited the call.",
    )
    guideline_correct = _answer("Protocol (guideline) correct")
    disposition_correct = _answer("Disposition correct")
    triage_error = models.CharField(
        max_length=8, choices=TriageError.choices, default=TriageError.NONE
    )
    red_flag_missed = models.BooleanField(
        default=False, help_text="An emergency under-triaged: the audit fails automatically."
    )
    documentation_complete = _answer("Documentation complete")
    introduction = _answer("Introduction and name")
    empathy = _answer("Empathy statement")
    plain_language = _answer("Plain language fitted to the caller")
    teach_back = _answer("Teach-back")
    safety_net = _answer("Safety-net advice")
    respectful_closing = _answer("Respectful closing")
    notes = models.TextField(blank=True, validators=[text_limit])

    EDITABLE_FIELDS = (
        "service_line",
        "call_date",
        "call_reference",
        "guideline_correct",
        "disposition_correct",
        "triage_error",
        "red_flag_missed",
        "documentation_complete",
        *(name for name, _ in COMPASSION_ITEMS),
        "notes",
    )

    class Meta:
        ordering = ["-call_date", "-id"]
        indexes = [models.Index(fields=["organization", "partnership", "call_date"])]

    def __str__(self) -> str:
        return f"Audit of {self.call_reference or 'a call'} on {self.call_date}"
