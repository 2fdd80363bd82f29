"""The partnership's KPIs tab (latest value per KPI and service line against the discovery
baseline and the target, with the last 30 days), and the CSV upload in two steps: the file
is checked whole and previewed (what would be new, updated, unchanged) without writing; a
second step imports it. Between the steps the file waits in the cache under a one-time key
tied to the member and the partnership (never in the page), for `PREVIEW_MINUTES`.
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.core.cache import cache
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.generic import TemplateView

from discovery.models import KpiDefinition, ServiceLine
from health import imports
from health.import_tasks import kpi_import_request
from health.kpi_selectors import RECENT_DAYS, kpi_overview
from health.models import KpiMeasurement
from health.services.kpis import NEW, UNCHANGED, UPDATED, measurements_import_csv
from partnerships.base import PartnershipPageMixin
from tenancy import access, csvfiles
from tenancy.access import Action
from tenancy.errors import ApplicationError

PREVIEW_MINUTES = 30
PREVIEW_ROWS = 200


class KpiUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "A header row, then one value per row. Columns: day (YYYY-MM-DD), kpi (its key), "
            "value, and optionally service (its name; empty for the whole line) and "
            "sample_size. UTF-8, at most 2 MB and 10,000 rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_IMPORT_BYTES:
            raise forms.ValidationError(imports.TOO_LARGE)
        return upload


class KpiPage(PartnershipPageMixin, TemplateView):
    model = KpiMeasurement
    url_namespace = "health"
    tab = "kpis"


class KpiListView(KpiPage):
    template_name = "health/kpi_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            lines=kpi_overview(
                membership=self.membership, partnership=self.partnership, today=self.today
            ),
            recent_days=RECENT_DAYS,
            has_services=access.visible(self.membership, ServiceLine)
            .filter(partnership=self.partnership)
            .exists(),
        )
        return context


class KpiUploadView(KpiPage):
    """Step 1 (a file): check it whole and show what would change. Step 2 (`preview`, the
    key of the checked file): import it. Any error: nothing saved, every error listed."""

    template_name = "health/kpi_upload.html"
    object_action = Action.CHANGE_WORK
    denied_message = (
        "Only the partnership's account manager, its implementation PMs and admins upload KPIs."
    )

    def _cache_key(self, key: str) -> str:
        return (
            f"health:kpi-upload:{self.organization.pk}:{self.partnership.pk}:"
            f"{self.membership.user_id}:{key}"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", KpiUploadForm())
        context.setdefault("row_errors", [])
        context["example"] = imports.EXAMPLE
        context["kpi_keys"] = list(
            KpiDefinition.objects.filter(organization=self.organization)
            .order_by("position", "name")
            .values_list("key", flat=True)
        )
        context["services"] = list(
            access.visible(self.membership, ServiceLine)
            .filter(partnership=self.partnership)
            .order_by("name")
            .values_list("name", flat=True)
        )
        return context

    def post(self, request, *args, **kwargs):
        if "preview" in request.POST:
            return self._confirm(request.POST["preview"])
        form = KpiUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        content = form.cleaned_data["file"].read()
        try:
            result = measurements_import_csv(
                actor=self.actor, partnership=self.partnership, content=content, dry_run=True
            )
        except ApplicationError as error:
            form.add_error("file", error.message)
            return self.render_to_response(
                self.get_context_data(form=form, row_errors=error.extra.get("errors", []))
            )
        key = secrets.token_urlsafe(16)
        cache.set(self._cache_key(key), content, timeout=PREVIEW_MINUTES * 60)
        changes = [change for change in result.changes if change.status != UNCHANGED]
        return self.render_to_response(
            self.get_context_data(
                form=form,
                result=result,
                preview_key=key,
                file_name=form.cleaned_data["file"].name,
                changes=changes[:PREVIEW_ROWS],
                more_changes=max(len(changes) - PREVIEW_ROWS, 0),
                preview_minutes=PREVIEW_MINUTES,
                NEW=NEW,
                UPDATED=UPDATED,
            )
        )

    def _confirm(self, key: str) -> Any:
        content = cache.get(self._cache_key(key)) if key else None
        if content is None:
            return self.render_to_response(
                self.get_context_data(
                    page_error=f"The checked file is no longer here (a preview is kept "
                    f"{PREVIEW_MINUTES} minutes, and imported once). Choose the file again."
                )
            )
        # Checked again before it is queued (the catalog or the services may have changed
        # since the preview); the import itself runs in the background, its page follows it.
        try:
            result = measurements_import_csv(
                actor=self.actor, partnership=self.partnership, content=content, dry_run=True
            )
        except ApplicationError as error:
            return self.render_to_response(
                self.get_context_data(
                    page_error=error.message, row_errors=error.extra.get("errors", [])
                )
            )
        job = kpi_import_request(
            actor=self.actor,
            partnership=self.partnership,
            content=csvfiles.decode(content),
            rows=len(result.changes),
        )
        cache.delete(self._cache_key(key))
        return HttpResponseRedirect(
            reverse("jobs:job", kwargs={"org_slug": self.organization.slug, "pk": job.pk})
        )
