"""Home pages, one per role (`home/` picks it), the account manager's portfolio, and the audit
trail with its CSV export. Pages read through `dashboards.selectors`; they change nothing
(acknowledging an alert, signing off and the rest happen on the pages that own them)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.views.generic import TemplateView, View

from dashboards import offboarding, selectors, summary
from dashboards import services as dashboard_services
from dashboards.models import (
    DEFAULT_DELIVERY,
    Delivery,
    Notification,
    NotificationKind,
    SummaryDocument,
)
from discovery.models import KpiDefinition
from partnerships.base import PartnershipPageMixin
from partnerships.models import Partnership, PartnershipStatus
from tenancy import access
from tenancy.access import Action
from tenancy.csvfiles import iter_rows
from tenancy.errors import ApplicationError
from tenancy.fastpages import DateTexts, render_rows, url_for_each
from tenancy.models import AuditEvent, Job, JobStatus, Role
from tenancy.validators import sane_date
from tenancy.views import OrgScopedMixin
from transition import selectors as transition_selectors

BAND_LABELS = {
    "red": "Red",
    "amber": "Amber",
    "green": "Green",
    "no_data": "Not enough data",
    "unchecked": "Not checked yet",
}


def polyline(values: list, low, high, width: int = 96, height: int = 24) -> str:
    """SVG polyline points of values (oldest first) scaled between `low` and `high`, drawn
    server-side: the numbers travel as numbers, never as markup a script would insert."""
    if len(values) < 2:
        return ""
    span = float(high - low) or 1.0
    step = width / (len(values) - 1)

    def y(value) -> float:
        share = float(min(max(value, low), high) - low) / span
        return height - 2 - share * (height - 4)

    return " ".join(f"{i * step:.1f},{y(v):.1f}" for i, v in enumerate(values))


def sparkline(scores: list[float]) -> str:
    """A health score's trend (0-100) as polyline points."""
    return polyline(scores, 0, 100)


class HomeMixin(OrgScopedMixin):
    nav = "home"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nav"] = self.nav
        context["today"] = self.organization.local_today()
        return context


# --- Account manager: the portfolio ------------------------------------------------------


class PortfolioFilterForm(forms.Form):
    band = forms.ChoiceField(
        required=False, choices=[("", "Any band"), *BAND_LABELS.items()], label="Band"
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any phase")]
        + [(s, dict(PartnershipStatus.choices)[s]) for s in selectors.PORTFOLIO_STATUSES],
        label="Phase",
    )
    client = forms.TypedChoiceField(required=False, coerce=str, choices=[], label="Client")
    sort = forms.ChoiceField(
        required=False, choices=list(selectors.PORTFOLIO_SORTS.items()), label="Sort"
    )

    def __init__(self, *args, clients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [("", "Any client"), *((str(c), n) for c, n in clients)]


class PortfolioView(HomeMixin, TemplateView):
    """Every partnership the account manager manages (an admin: the organization's), needs
    attention first, with the alerts inbox beside it."""

    template_name = "dashboards/portfolio.html"
    provider_only = True
    model = Partnership

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET
        manager = query.get("manager", "")
        wanted = tuple(query.get(name, "") for name in ("band", "status", "client", "sort"))
        # The portfolio's figures and rows as of the last write, within the minute
        # (tenancy/generation.py), remembered as the HTML they are shown as.
        clients, filters, summary_html, rows_html, row_count = self.remember(
            ("dashboards.portfolio-page", manager, wanted), lambda: self._portfolio(manager)
        )
        form = PortfolioFilterForm(query or None, clients=clients)
        form.is_valid()
        alerts, alert_count = selectors.inbox(membership=self.membership)
        context.update(
            summary_html=summary_html,
            rows_html=rows_html,
            row_count=row_count,
            filter_form=form,
            is_filtered=any(filters.get(name) for name in ("band", "status", "client")),
            manager=manager,
            alerts=alerts,
            alert_count=alert_count,
            manages_any=selectors.portfolio_partnerships(membership=self.membership).exists()
            if not row_count
            else True,
            list_url=reverse("partnerships:list", kwargs={"org_slug": self.organization.slug}),
        )
        return context

    def _portfolio(self, manager: str) -> tuple:
        """The filter's clients, the filters that hold, the portfolio and its rows' HTML."""
        clients = list(
            selectors.portfolio_partnerships(membership=self.membership, manager=manager)
            .order_by("client__name")
            .values_list("client_id", "client__name")
            .distinct()
        )
        form = PortfolioFilterForm(self.request.GET or None, clients=clients)
        filters = form.cleaned_data if form.is_valid() else {}
        data = selectors.portfolio(
            membership=self.membership,
            manager=manager,
            band=filters.get("band", ""),
            status=filters.get("status", ""),
            client=filters.get("client", ""),
            sort=filters.get("sort") or "attention",
        )
        summary_html = render_to_string(
            "dashboards/portfolio.html#summary",
            {
                "portfolio": data,
                "band_tiles": [
                    (band, BAND_LABELS[band], data.bands.get(band, 0))
                    for band in ("red", "amber", "green", "no_data", "unchecked")
                ],
                "touchpoint_days": selectors.TOUCHPOINT_DUE_DAYS,
            },
        )
        rows_html = render_rows(
            "dashboards/_portfolio_rows.html", self._rows(data), band_labels=BAND_LABELS
        )
        return clients, filters, summary_html, rows_html, len(data.rows)

    def _rows(self, data: selectors.Portfolio) -> list[dict]:
        slug = self.organization.slug
        detail = url_for_each("partnerships:detail", kwargs={"org_slug": slug})
        why = url_for_each("health:check", kwargs={"org_slug": slug}, key="partnership_pk")
        issues = url_for_each("health:issues", kwargs={"org_slug": slug}, key="partnership_pk")
        touch = url_for_each("health:touchpoints", kwargs={"org_slug": slug}, key="partnership_pk")
        texts = DateTexts()
        rows = []
        for row in data.rows:
            milestone = row.next_milestone
            rows.append(
                {
                    "id": row.id,
                    "url": detail(row.id),
                    "why_url": why(row.id),
                    "issues_url": issues(row.id),
                    "touchpoints_url": touch(row.id),
                    "name": row.name,
                    "client": row.client_name,
                    "status": row.status,
                    "status_label": row.status_label,
                    "band": row.band or "unchecked",
                    "score": "" if row.score is None else f"{row.score:g}",
                    "trend": row.check["trend"] if row.check else "",
                    "points": sparkline(row.scores),
                    "scores_text": ", ".join(f"{s:g}" for s in row.scores),
                    "milestone": milestone["title"] if milestone else "",
                    "milestone_due": texts(milestone["due"], "M j") if milestone else "",
                    "slip": milestone["slip_days"] if milestone else None,
                    "percent_done": row.progress["percent_done"] if row.progress else None,
                    "issues": row.issues.by_severity(),
                    "open_issues": row.issues.open,
                    "breached": row.issues.breached,
                    "touchpoint_days": row.days_since_touchpoint,
                    "touchpoint_due": row.days_since_touchpoint is None
                    or row.days_since_touchpoint > selectors.TOUCHPOINT_DUE_DAYS,
                    "follow_ups": row.overdue_follow_ups,
                    "data_days": row.days_since_data,
                    "live": row.status == PartnershipStatus.LIVE,
                    "stale": row.stale,
                    "attention": row.attention,
                }
            )
        return rows


# --- Client executive ---------------------------------------------------------------------

AWAITING_URLS = {
    "cosign_discovery": ("discovery:cosign", False),
    "sign_off_goals": ("discovery:goals-sign-off", False),
    "decide_opportunity": ("discovery:opportunity-decide", True),
    "approve_preference": ("culture:preference-detail", True),
    "answer_issue": ("health:issue-detail", True),
}


def awaiting_links(items: list[dict], slug: str) -> list[dict]:
    for item in items:
        name, with_pk = AWAITING_URLS[item["kind"]]
        kwargs = {"org_slug": slug, "partnership_pk": item["partnership_id"]}
        if with_pk:
            kwargs["pk"] = item["object_id"]
        item["url"] = reverse(name, kwargs=kwargs)
    items.sort(key=lambda i: (i["since"] is None, i["since"] or 0))
    return items


def trend_line(values: list) -> dict:
    """A KPI's daily values (oldest first) as polyline points scaled between their lowest and
    highest, and the words that say the same for a screen reader."""
    if len(values) < 2:
        return {"points": "", "trend_text": ""}
    low, high = min(values), max(values)
    text = (
        f"{len(values)} days, from {values[0].normalize():f} to {values[-1].normalize():f}"
        f" (lowest {low.normalize():f}, highest {high.normalize():f})"
    )
    return {"points": polyline(values, low, high, width=120, height=28), "trend_text": text}


def kpi_charts(lines) -> list[dict]:
    """The client's KPI lines with two days or more, as the data of their charts (Chart.js,
    static/js/dashboards.js): names and figures as plain text and numbers, never markup."""
    charts = []
    for line in lines:
        days = list(reversed(line.recent))
        if len(days) < 2:
            continue
        target = line.target
        charts.append(
            {
                "name": line.kpi.name,
                "service": line.service_line.name if line.service_line else "Whole line",
                "unit": line.kpi.unit_suffix.strip(),
                "labels": [f"{row.day:%b} {row.day.day}" for row in days],
                "values": [float(row.value) for row in days],
                "baseline": float(line.baseline.value) if line.baseline else None,
                "target": float(target) if target is not None else None,
            }
        )
    return charts


def kpi_figure(value, unit: str) -> str:
    """A KPI figure as the pages show it: one decimal at most, with its unit."""
    if value is None:
        return "—"
    return KpiDefinition(unit=unit).format_value(Decimal(str(value)).quantize(Decimal("0.1")))


def parity_rows(services: list[dict]) -> list[dict]:
    """The parity report's rows (one per service and KPI) with their figures formatted."""
    rows = []
    for service in services:
        for kpi in service["kpis"]:
            rows.append(
                {
                    **kpi,
                    "service": service["service"],
                    "baseline_text": kpi_figure(kpi["baseline"], kpi["unit"]),
                    "live_text": kpi_figure(kpi["live"], kpi["unit"]),
                    "target_text": kpi_figure(kpi["target"], kpi["unit"]),
                }
            )
    return rows


class ClientHomeView(HomeMixin, TemplateView):
    """The client executive's partnerships: what awaits them first, then one partnership's
    parity, KPIs, transition progress, goals, satisfaction and their issues."""

    template_name = "dashboards/client_home.html"
    model = Partnership

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partnerships = list(
            access.visible(self.membership, Partnership)
            .exclude(status=PartnershipStatus.ENDED)
            .select_related("client", "organization")
            .order_by("name")
        )
        chosen = selectors.chosen_partnership(partnerships, self.request.GET.get("partnership", ""))
        today = context["today"]
        wanted_days = self.request.GET.get("days", "")
        days = int(wanted_days) if wanted_days in {str(d) for d in selectors.KPI_PERIODS} else 28
        context.update(
            partnerships=partnerships,
            awaiting=awaiting_links(
                selectors.awaiting_client(membership=self.membership), self.organization.slug
            ),
            detail=(
                selectors.client_partnership_detail(
                    membership=self.membership, partnership=chosen, today=today, days=days
                )
                if chosen
                else None
            ),
            unknown_partnership=chosen is None and bool(self.request.GET.get("partnership")),
        )
        context["periods"] = selectors.KPI_PERIODS
        if context["detail"]:
            context["parity_rows"] = parity_rows(context["detail"]["parity"])
            context["kpi_rows"] = [
                {"line": line, **trend_line([row.value for row in reversed(line.recent)])}
                for line in context["detail"]["kpis"]
            ]
            context["kpi_charts"] = kpi_charts(context["detail"]["kpis"])
        return context


# --- Implementation PM --------------------------------------------------------------------


class PmHomeView(HomeMixin, TemplateView):
    """The PM's transitions: my tasks, critical-path items at risk, go/no-go readiness,
    undecided staff outcomes and knowledge-capture gaps."""

    template_name = "dashboards/pm_home.html"
    model = Partnership

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = context["today"]
        partnerships = list(
            access.visible(self.membership, Partnership)
            .filter(status__in=selectors.PORTFOLIO_STATUSES)
            .select_related("client", "organization")
            .order_by("name")
        )
        progress = transition_selectors.plan_progress(
            membership=self.membership, partnership_ids=[p.pk for p in partnerships], today=today
        )
        for partnership in partnerships:
            partnership.progress = progress.get(partnership.pk)
        wanted = self.request.GET.get("partnership", "")
        candidates = [p for p in partnerships if p.status == PartnershipStatus.TRANSITION]
        chosen = selectors.chosen_partnership(partnerships if wanted else candidates, wanted)
        if chosen is None and not wanted and partnerships:
            chosen = partnerships[0]
        context.update(
            partnerships=partnerships,
            tasks=transition_selectors.my_tasks(membership=self.membership, today=today),
            detail=selectors.pm_partnership_detail(
                membership=self.membership, partnership=chosen, today=today
            )
            if chosen
            else None,
            unknown_partnership=chosen is None and bool(wanted),
        )
        return context


# --- Admin --------------------------------------------------------------------------------


class AdminHomeView(HomeMixin, TemplateView):
    """The organization at a glance, for its admins."""

    template_name = "dashboards/admin_home.html"
    model = Partnership
    required_action = Action.VIEW_AUDIT

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        overview = selectors.organization_overview(membership=self.membership)
        bands = overview["bands"]
        context.update(
            overview=overview,
            band_columns=[(band, BAND_LABELS[band]) for band in bands],
            matrix_rows=[
                (status, label, [counts[band] for band in bands])
                for status, label, counts in overview["matrix"]
            ],
        )
        context["recent_events"] = list(selectors.audit_trail(membership=self.membership)[:8])
        return context


HOME_VIEWS = {
    Role.ADMIN: AdminHomeView,
    Role.ACCOUNT_MANAGER: PortfolioView,
    Role.IMPLEMENTATION_PM: PmHomeView,
    Role.CLIENT_EXECUTIVE: ClientHomeView,
}


class HomeView(OrgScopedMixin, TemplateView):
    """`home/`: the member's own home page, by role."""

    model = Partnership

    def get(self, request, *args, **kwargs):
        view = HOME_VIEWS[self.membership.role]
        return view.as_view()(request, *args, **kwargs)


# --- Audit trail ----------------------------------------------------------------------------


class AuditFilterForm(forms.Form):
    partnership = forms.ChoiceField(required=False, label="Partnership")
    actor = forms.ChoiceField(required=False, label="Person")
    verb = forms.ChoiceField(required=False, label="Action")
    since = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[sane_date],
    )
    until = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[sane_date],
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].choices = [
            ("", "Every partnership"),
            *((str(i), n) for i, n in choices["partnerships"]),
        ]
        self.fields["actor"].choices = [
            ("", "Everyone"),
            *((str(i), n) for i, n in choices["people"]),
        ]
        self.fields["verb"].choices = [("", "Every action"), *choices["verbs"]]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return cleaned


class AuditTrailView(HomeMixin, TemplateView):
    """The organization's audit trail (admins), filtered by partnership, person, action and
    dates, 50 events a page; `?format=csv` downloads the filtered events (and is itself
    recorded)."""

    template_name = "dashboards/audit_trail.html"
    model = AuditEvent
    provider_only = True  # to a client executive the page does not exist (404)
    required_action = Action.VIEW_AUDIT  # other provider members: 403
    nav = "audit"
    page_size = 50
    changes_shown = 4  # per event on the page (the CSV has them all)

    def get(self, request, *args, **kwargs):
        choices = selectors.audit_filter_choices(membership=self.membership)
        self.form = AuditFilterForm(request.GET or None, choices=choices)
        valid = self.form.is_valid() if request.GET else True
        filters = {
            name: value
            for name, value in (self.form.cleaned_data if request.GET and valid else {}).items()
            if value
        }
        self.filters = {
            "partnership": filters.get("partnership", ""),
            "actor": filters.get("actor", ""),
            "verb": filters.get("verb", ""),
            "since": filters.get("since"),
            "until": filters.get("until"),
        }
        if request.GET.get("format") == "csv":
            if not valid:
                return self.render_to_response(self.get_context_data(), status=400)
            return self.export()
        return super().get(request, *args, **kwargs)

    def events(self):
        return selectors.audit_trail(membership=self.membership, **self.filters)

    EXPORT_HEADER = [
        "time (UTC)",
        "time (local)",
        "person",
        "e-mail",
        "action",
        "target type",
        "target id",
        "target",
        "partnership",
        "changes",
        "address",
        "user agent",
    ]

    def export(self) -> StreamingHttpResponse:
        """The filtered events as CSV, streamed as they are read (a year of a busy
        organization's trail never sits whole in memory). The export is recorded first."""
        zone = self.organization.zone
        events = self.events().filter(created_at__lte=timezone.now())  # not this export's own
        dashboard_services.audit_trail_exported(actor=self.actor, filters=self.filters)
        rows = (
            (
                event.created_at.astimezone(datetime.UTC).isoformat(),
                event.created_at.astimezone(zone).isoformat(),
                event.actor.full_name if event.actor else "",
                event.actor.email if event.actor else "",
                event.verb,
                event.target_type,
                event.target_id,
                event.target_repr,
                event.partnership.name if event.partnership else "",
                _changes_text(event.changes),
                event.ip_address or "",
                event.user_agent,
            )
            for event in events.iterator(chunk_size=2000)
        )
        stamp = timezone.localtime(timezone=zone).strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(
            iter_rows(self.EXPORT_HEADER, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="audit-{self.organization.slug}-{stamp}.csv"'
        )
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(self.events(), self.page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        events = list(page.object_list)
        for event in events:
            changes = event.changes if isinstance(event.changes, dict) else {}
            items = [
                (name, pair if isinstance(pair, list) and len(pair) == 2 else [None, pair])
                for name, pair in changes.items()
            ]
            event.change_items = items[: self.changes_shown]
            event.more_changes = max(0, len(items) - self.changes_shown)
        context.update(
            form=self.form,
            page=page,
            events=events,
            query=query.urlencode(),
            is_filtered=any(self.filters.values()),
        )
        return context


def _changes_text(changes) -> str:
    if not isinstance(changes, dict):
        return ""
    parts = []
    for name, pair in changes.items():
        if isinstance(pair, list) and len(pair) == 2:
            parts.append(f"{name}: {pair[0]!s} → {pair[1]!s}")
        else:
            parts.append(f"{name}: {pair!s}")
    return "; ".join(parts)


# --- Notifications --------------------------------------------------------------------------


class PreferencesForm(forms.Form):
    """One choice per kind of notification."""

    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in NotificationKind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label,
                choices=Delivery.choices,
                initial=current.get(kind, DEFAULT_DELIVERY[kind]),
                widget=forms.RadioSelect,
            )


class NotificationMixin(OrgScopedMixin):
    model = Notification

    def preferences(self) -> dict[str, str]:
        chosen = dashboard_services.deliveries(
            organization_id=self.organization.pk, user_ids=[self.membership.user_id]
        )
        return {kind: delivery for (_, kind), delivery in chosen.items()}


class NotificationListView(NotificationMixin, HomeMixin, TemplateView):
    """The member's notifications, unread first, with mark read, and how they hear of each
    kind."""

    template_name = "dashboards/notifications.html"
    nav = "notifications"
    limit = 100

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(self.get_queryset().select_related("partnership")[: self.limit])
        unread = [n for n in rows if n.read_at is None]
        context.update(
            unread=unread,
            read=[n for n in rows if n.read_at is not None][:50],
            form=kwargs.get("form") or PreferencesForm(current=self.preferences()),
        )
        return context

    def post(self, request, *args, **kwargs):
        """Save the notification settings."""
        form = PreferencesForm(request.POST, current=self.preferences())
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        dashboard_services.preferences_set(actor=self.actor, choices=form.cleaned_data)
        messages.success(request, "Notification settings saved.")
        return HttpResponseRedirect(self.request.path)


class NotificationOpenView(NotificationMixin, View):
    """POST: mark one notification read and go to its page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        notification = self.get_object()
        dashboard_services.notification_mark_read(actor=self.actor, notification=notification)
        target = notification.url
        if not url_has_allowed_host_and_scheme(target, allowed_hosts=None) or not target.startswith(
            "/"
        ):
            target = reverse(
                "dashboards:notifications", kwargs={"org_slug": self.organization.slug}
            )
        return HttpResponseRedirect(target)


class NotificationReadAllView(NotificationMixin, View):
    """POST: mark every notification of the member read."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        count = dashboard_services.notifications_mark_all_read(actor=self.actor)
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
        return HttpResponseRedirect(
            reverse("dashboards:notifications", kwargs={"org_slug": self.organization.slug})
        )


class NotificationCountView(NotificationMixin, View):
    """GET: the bell's content (loaded by htmx after the page, so that no page pays a query
    for it): the icon and the number of unread notifications."""

    def get(self, request, *args, **kwargs):
        if not request.headers.get("HX-Request"):  # opened as a page: the list is the page
            return HttpResponseRedirect(
                reverse("dashboards:notifications", kwargs={"org_slug": self.organization.slug})
            )
        count = self.get_queryset().filter(read_at__isnull=True).count()
        response = render(
            request, "dashboards/_bell.html", {"count": count, "organization": self.organization}
        )
        response["Cache-Control"] = "no-store"
        return response


# --- Executive summary ----------------------------------------------------------------------


class SummaryMixin(PartnershipPageMixin):
    url_namespace = "dashboards"
    model = SummaryDocument


class SummaryView(SummaryMixin, TemplateView):
    """A partnership's monthly executive summary as a page that prints cleanly."""

    template_name = "dashboards/summary.html"

    def get(self, request, *args, **kwargs):
        self.month = summary.parse_month(request.GET.get("month"), self.today)
        if self.month is None:
            messages.error(request, "Choose a month between January 2000 and this month.")
            return HttpResponseRedirect(self.url("summary"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            summary.summary_context(
                membership=self.membership, partnership=self.partnership, month=self.month
            )
        )
        context["today"] = self.today
        return context


class SummaryPdfCreateView(SummaryMixin, View):
    """POST: write the month's summary as PDF in the background, then show its progress."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        month = summary.parse_month(request.POST.get("month"), self.today)
        if month is None:
            messages.error(request, "Choose a month between January 2000 and this month.")
            return HttpResponseRedirect(self.url("summary"))
        try:
            document = dashboard_services.summary_pdf_request(
                actor=self.actor, partnership=self.partnership, month=month
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(f"{self.url('summary')}?month={month:%Y-%m}")
        return HttpResponseRedirect(self.url("summary-pdf", pk=document.pk))


class SummaryPdfView(SummaryMixin, TemplateView):
    """The PDF's progress (polled every second while it is written), then its download."""

    template_name = "dashboards/summary_pdf.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["document"] = self.object
        return context

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["dashboards/_summary_pdf_status.html"]
        return [self.template_name]


class SummaryPdfDownloadView(SummaryMixin, View):
    def get(self, request, *args, **kwargs):
        document = self.object
        if document.status != JobStatus.DONE or not document.pdf:
            return HttpResponseRedirect(self.url("summary-pdf", pk=document.pk))
        name = slugify(self.partnership.name)[:60] or "partnership"
        pdf = dashboard_services.summary_pdf_downloaded(actor=self.actor, document=document)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="summary-{name}-{document.month:%Y-%m}.pdf"'
        )
        return response


# --- Background jobs ------------------------------------------------------------------------


class HealthChecksAllView(OrgScopedMixin, View):
    """POST: check every partnership of the organization now (admins), then follow it."""

    http_method_names = ["post"]
    model = Job
    provider_only = True
    required_action = Action.MANAGE_SETTINGS

    def post(self, request, *args, **kwargs):
        job = dashboard_services.health_checks_all_request(actor=self.actor)
        return HttpResponseRedirect(
            reverse("jobs:job", kwargs={"org_slug": self.organization.slug, "pk": job.pk})
        )


# --- Offboarding ---------------------------------------------------------------------------


class OffboardingView(PartnershipPageMixin, TemplateView):
    """An admin's offboarding page of a partnership: the archive of everything, and the
    erasure of its staff's HR records once it has been over long enough."""

    template_name = "dashboards/offboarding.html"
    url_namespace = "dashboards"
    object_action = Action.MANAGE_SETTINGS
    denied_message = "Offboarding a partnership is for admins."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        since = offboarding.erasable_from(self.partnership)
        context.update(
            organization=self.organization,
            membership=self.membership,
            partnership=self.partnership,
            nav="partnerships",
            ended_on=offboarding.ended_on(self.partnership),
            erasable_from=since,
            erasable_now=since is not None and since <= timezone.now(),
            last_erasure=offboarding.last_erasure(self.partnership),
            retention_days=self.organization.hr_retention_days,
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "export":
            archive = offboarding.export_archive(actor=self.actor, partnership=self.partnership)
            response = FileResponse(
                archive.file,
                as_attachment=True,
                filename=archive.filename,
                content_type="application/zip",
            )
            add_never_cache_headers(response)
            return response
        if action == "erase-hr":
            try:
                erased = offboarding.hr_records_erase(
                    actor=self.actor, partnership=self.partnership
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                rows = sum(erased.values())
                messages.success(
                    request,
                    f"HR records erased: the sensitive fields of {rows} rows are now empty."
                    " The audit trail records the erasure.",
                )
            return HttpResponseRedirect(self.url("offboarding"))
        messages.error(request, "Choose what to do: export everything or erase HR records.")
        return HttpResponseRedirect(self.url("offboarding"))
