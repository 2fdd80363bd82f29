"""The health-check sweep: snapshots (idempotent per period), flat queries, the alerts
(band worsened once, stale data once, by e-mail too), acknowledge and snooze."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from health.models import Alert, AlertKind, HealthCheck, Issue, KpiMeasurement, Touchpoint
from health.services import checks as services
from health.tasks import health_checks_dispatch_task
from partnerships.models import PartnershipStatus
from tenancy.errors import ApplicationError
from tests.discovery.factories import KpiBaselineFactory, ServiceLineFactory
from tests.factories import PartnershipFactory
from tests.transition.factories import PlanTaskFactory, StaffMemberFactory

NOW = timezone.now().replace(microsecond=0)
HOUR = datetime.timedelta(hours=1)


def measure(partnership, kpi, value, *, days_ago=0, received=None, service_line=None):
    day = partnership.organization.local_today() - datetime.timedelta(days=days_ago)
    return KpiMeasurement.objects.create(
        organization=partnership.organization,
        partnership=partnership,
        service_line=service_line,
        kpi=kpi,
        day=day,
        value=Decimal(str(value)),
        source="api",
        received_at=received or NOW,
    )


def touch(partnership, user, days_ago=2):
    return Touchpoint.objects.create(
        organization=partnership.organization,
        partnership=partnership,
        date=partnership.organization.local_today() - datetime.timedelta(days=days_ago),
        kind="call",
        attendees="Erin Executive",
        recorded_by=user,
    )


def critical_issue(partnership, user, hours_ago=48):
    return Issue.objects.create(
        organization=partnership.organization,
        partnership=partnership,
        title="Callbacks missed overnight",
        severity="critical",
        raised_by=user,
        opened_at=NOW - datetime.timedelta(hours=hours_ago),
        response_minutes=60,
        resolution_minutes=24 * 60,
    )


@pytest.fixture
def healthy(live, kpis, service, account_manager):
    """A live partnership that is green: abandonment under target, data today, a recent
    touchpoint, no issue."""
    KpiBaselineFactory(
        partnership=live,
        service_line=service,
        kpi=kpis["abandonment_rate"],
        value=Decimal("6.1"),
        target=Decimal("5"),
    )
    measure(live, kpis["abandonment_rate"], 4.2, service_line=service)
    touch(live, account_manager.user)
    return live


def run(org, period, **kwargs):
    return services.checks_run(organization=org, period_start=period, now=period, **kwargs)


# --- Snapshots -------------------------------------------------------------------------------


def test_a_check_stores_score_band_components_and_missing(org_a, healthy):
    result = run(org_a, NOW)
    check = HealthCheck.objects.get(partnership=healthy)
    assert result.checked == 1
    assert check.band == "green" and check.score == Decimal("100.0")
    assert check.phase == "live" and check.trend == "unknown"
    keys = [c["key"] for c in check.components]
    assert keys == ["quality", "issues", "data_freshness", "engagement"]
    quality = check.components[0]
    assert quality["measures"][0]["text"] == (
        "Abandonment rate (After-hours triage) 4.2% against a baseline of 6.1% and a target of 5%"
    )
    assert [m["key"] for m in check.missing] == ["experience"]


def test_rerunning_the_same_period_never_doubles_the_snapshot(org_a, healthy, account_manager):
    run(org_a, NOW)
    critical_issue(healthy, account_manager.user)  # would change the score
    again = run(org_a, NOW)
    assert again.checked == 0 and again.skipped == 1
    assert HealthCheck.objects.filter(partnership=healthy).count() == 1
    assert HealthCheck.objects.get(partnership=healthy).band == "green"


def test_a_later_period_with_the_same_inputs_copies_the_snapshot(org_a, healthy):
    run(org_a, NOW)
    run(org_a, NOW + HOUR)
    first, second = HealthCheck.objects.filter(partnership=healthy).order_by("period_start")
    assert second.period_start == NOW + HOUR
    assert second.inputs_digest == first.inputs_digest != ""
    assert (second.score, second.band, second.phase) == (first.score, first.band, first.phase)
    assert second.components == first.components and second.missing == first.missing
    assert second.trend == "steady"  # the same score as the previous check
    # What a full scoring of the same inputs would have stored.
    HealthCheck.objects.filter(pk=second.pk).update(inputs_digest="")
    run(org_a, NOW + 2 * HOUR)
    third = HealthCheck.objects.get(partnership=healthy, period_start=NOW + 2 * HOUR)
    assert (third.score, third.band, third.trend) == (second.score, second.band, "steady")
    assert third.components == second.components and third.inputs_digest == first.inputs_digest


def test_a_change_of_inputs_or_settings_is_scored_afresh(org_a, healthy, account_manager):
    run(org_a, NOW)
    critical_issue(healthy, account_manager.user)
    run(org_a, NOW + HOUR)
    before, after = HealthCheck.objects.filter(partnership=healthy).order_by("period_start")
    assert after.inputs_digest != before.inputs_digest
    assert after.score < before.score and after.trend == "worsening"
    issues = next(c for c in after.components if c["key"] == "issues")
    assert issues["reason"].startswith("1 open issue (1 critical)")

    # New thresholds change the band of the same inputs: scored again, not copied.
    from health.models import HealthSettings

    HealthSettings.objects.create(organization=org_a, red_below=10, green_from=20)
    run(org_a, NOW + 2 * HOUR)
    latest = HealthCheck.objects.filter(partnership=healthy).first()
    assert latest.inputs_digest != after.inputs_digest
    assert latest.band == "green" and latest.score == after.score


def test_a_copied_stale_check_still_raises_its_alert_when_due(
    org_a, live, account_manager, kpis, service
):
    """A quiet feed whose inputs do not change is still alerted once per quiet spell."""
    touch(live, account_manager.user)
    live.account_manager = None
    live.save(update_fields=["account_manager"])
    assert run(org_a, NOW).alerts == []  # nobody to alert yet
    live.account_manager = account_manager.user
    live.save(update_fields=["account_manager"])
    result = run(org_a, NOW + HOUR)
    assert [a.kind for a in result.alerts] == [AlertKind.STALE_DATA]
    assert run(org_a, NOW + 2 * HOUR).alerts == []
    assert HealthCheck.objects.filter(partnership=live).count() == 3


def test_a_phase_reads_only_what_its_profile_weighs(org_a, healthy, account_manager):
    """A live partnership's overdue plan task weighs nothing (live has no schedule weight):
    the check copies the last snapshot instead of scoring it again. Once the organization
    weighs the schedule for live partnerships, the same task counts."""
    run(org_a, NOW)
    PlanTaskFactory(plan__partnership=healthy, due=org_a.local_today() - datetime.timedelta(days=9))
    run(org_a, NOW + HOUR)
    first, second = HealthCheck.objects.filter(partnership=healthy).order_by("period_start")
    assert second.inputs_digest == first.inputs_digest
    assert "schedule" not in [c["key"] for c in second.components]

    from health.models import HealthSettings

    HealthSettings.objects.create(organization=org_a, weights={"live": {"schedule": 20}})
    run(org_a, NOW + 2 * HOUR)
    third = HealthCheck.objects.filter(partnership=healthy).first()
    schedule = next(c for c in third.components if c["key"] == "schedule")
    assert schedule["reason"].startswith("1 of 1 plan tasks are overdue")
    assert third.score < second.score


def test_a_check_reads_the_given_partnerships_only(org_a, healthy, account_manager):
    """A run for some ids (the dispatcher's chunks, "run now") checks those and no other."""
    other = PartnershipFactory(
        organization=org_a, client=healthy.client, status=PartnershipStatus.TRANSITION
    )
    result = run(org_a, NOW, partnership_ids=[other.pk])
    assert result.checked == 1
    assert list(HealthCheck.objects.values_list("partnership_id", flat=True)) == [other.pk]
    assert run(org_a, NOW, partnership_ids=[]).checked == 0


def test_only_discovery_transition_and_live_partnerships_are_checked(
    org_a, healthy, other_client_partnership, outsider_partnership
):
    result = run(org_a, NOW)
    assert result.checked == 1  # the prospect and the other tenant's are left alone
    assert not HealthCheck.objects.filter(partnership=other_client_partnership).exists()
    assert not HealthCheck.objects.filter(partnership=outsider_partnership).exists()


def test_another_tenants_ids_are_ignored(org_a, org_b, healthy, outsider_partnership):
    result = run(org_b, NOW, partnership_ids=[healthy.pk, outsider_partnership.pk])
    assert result.checked == 1
    assert not HealthCheck.objects.filter(partnership=healthy).exists()


def test_a_discovery_partnership_with_too_little_data_says_so(org_a, partnership):
    run(org_a, NOW)
    check = HealthCheck.objects.get(partnership=partnership)
    # discovery: checklist (40) and issues (20) have data: 60 % of the weight, 2 components.
    assert check.band in ("red", "amber", "green")
    assert {m["key"] for m in check.missing} == {"engagement", "schedule"}


def _build(org_a, university, account_manager, kpis, start, count):
    for n in range(start, start + count):
        p = PartnershipFactory(
            organization=org_a,
            client=university,
            name=f"Line {n}",
            status=[PartnershipStatus.LIVE, PartnershipStatus.TRANSITION][n % 2],
            account_manager=account_manager.user,
        )
        line = ServiceLineFactory(partnership=p)
        KpiBaselineFactory(partnership=p, service_line=line, kpi=kpis["abandonment_rate"])
        measure(p, kpis["abandonment_rate"], 9.8, service_line=line)
        touch(p, account_manager.user)
        critical_issue(p, account_manager.user)
        PlanTaskFactory(partnership=p)
        StaffMemberFactory(partnership=p)


def test_a_sweep_runs_a_fixed_number_of_queries(org_a, university, account_manager, kpis):
    _build(org_a, university, account_manager, kpis, 0, 3)
    assert run(org_a, NOW).checked == 3
    # Each later sweep scores the new partnerships and copies the unchanged ones.
    _build(org_a, university, account_manager, kpis, 3, 1)
    with CaptureQueriesContext(connection) as few:
        assert run(org_a, NOW + HOUR).checked == 4
    _build(org_a, university, account_manager, kpis, 4, 9)
    with CaptureQueriesContext(connection) as many:
        assert run(org_a, NOW + 2 * HOUR).checked == 13
    assert len(many) == len(few)


# --- Alerts ----------------------------------------------------------------------------------


def test_band_worsening_alerts_the_account_manager_once(
    org_a, healthy, kpis, service, account_manager, django_capture_on_commit_callbacks
):
    run(org_a, NOW)
    assert not Alert.objects.exists()
    measure(healthy, kpis["abandonment_rate"], 9.8, days_ago=1, service_line=service)
    measure(healthy, kpis["abandonment_rate"], 15.4, days_ago=2, service_line=service)
    critical_issue(healthy, account_manager.user)
    with django_capture_on_commit_callbacks(execute=True):
        second = run(org_a, NOW + HOUR)
    check = HealthCheck.objects.get(partnership=healthy, period_start=NOW + HOUR)
    assert check.band == "red" and check.trend == "worsening"

    (alert,) = second.alerts
    assert alert.kind == AlertKind.BAND_WORSENED and alert.recipient == account_manager.user
    assert alert.health_check_id == check.pk
    assert alert.title.startswith("University after-hours line went from green to red")
    assert any("Abandonment rate" in reason for reason in alert.reasons)
    assert alert.suggested_action
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["am@northstar.example"]
    assert "Suggested next step" in mail.outbox[0].body

    run(org_a, NOW + 2 * HOUR)  # still red: no repeat
    assert Alert.objects.filter(kind=AlertKind.BAND_WORSENED).count() == 1
    assert len(mail.outbox) == 1


def test_stale_data_raises_one_alert_until_data_arrives_again(org_a, healthy, kpis, service):
    old = NOW - datetime.timedelta(days=4)
    KpiMeasurement.objects.filter(partnership=healthy).update(received_at=old)
    first = run(org_a, NOW)
    check = HealthCheck.objects.get(partnership=healthy)
    freshness = next(c for c in check.components if c["key"] == "data_freshness")
    assert freshness["score"] == 0
    assert check.band != "green"  # stale data never looks healthy
    assert [a.kind for a in first.alerts] == [AlertKind.STALE_DATA]
    assert "sent nothing for 4 days" in first.alerts[0].title

    assert run(org_a, NOW + HOUR).alerts == []  # the same quiet spell: no repeat

    measure(
        healthy,
        kpis["abandonment_rate"],
        4.0,
        days_ago=1,
        service_line=service,
        received=NOW + 2 * HOUR,
    )
    assert run(org_a, NOW + 2 * HOUR).alerts == []  # fresh again
    later = NOW + datetime.timedelta(days=5)
    # Quiet again: one stale-data alert, not a second one for the band it caps to amber.
    assert [a.kind for a in run(org_a, later).alerts] == [AlertKind.STALE_DATA]


def test_a_live_partnership_that_never_sent_data_is_stale(org_a, live, account_manager):
    touch(live, account_manager.user)
    result = run(org_a, NOW)
    assert [a.kind for a in result.alerts] == [AlertKind.STALE_DATA]
    assert "sent no KPI data in 4 weeks" in result.alerts[0].title


# --- Run now, acknowledge, snooze ------------------------------------------------------------


def test_run_now_needs_change_work(healthy, actor_for, account_manager, client_executive):
    check = services.check_run_now(actor=actor_for(account_manager), partnership=healthy)
    assert check.trigger == "on_demand"
    with pytest.raises(PermissionDenied):
        services.check_run_now(actor=actor_for(client_executive), partnership=healthy)


@pytest.fixture
def alert(org_a, healthy):
    KpiMeasurement.objects.filter(partnership=healthy).update(
        received_at=NOW - datetime.timedelta(days=9)
    )
    (alert,) = run(org_a, NOW).alerts
    return alert


def test_acknowledge_needs_a_note_and_the_recipient_or_an_admin(
    alert, actor_for, account_manager, implementation_pm, admin
):
    with pytest.raises(ApplicationError) as error:
        services.alert_acknowledge(actor=actor_for(account_manager), alert=alert, note="  ")
    assert error.value.field == "note"
    with pytest.raises(PermissionDenied):
        services.alert_acknowledge(actor=actor_for(implementation_pm), alert=alert, note="Done")
    services.alert_acknowledge(
        actor=actor_for(account_manager), alert=alert, note="Called the ACD vendor."
    )
    alert.refresh_from_db()
    assert alert.acknowledged_by == account_manager.user
    assert alert.acknowledgement_note == "Called the ACD vendor."
    with pytest.raises(ApplicationError):
        services.alert_acknowledge(actor=actor_for(admin), alert=alert, note="Again")


def test_snooze_until_a_future_date_within_90_days_with_a_reason(
    alert, actor_for, account_manager, admin, implementation_pm
):
    today = alert.organization.local_today()
    actor = actor_for(account_manager)
    for until, reason, field in [
        (None, "Vendor fixing", "until"),
        (today, "Vendor fixing", "until"),
        (today + datetime.timedelta(days=91), "Vendor fixing", "until"),
        (today + datetime.timedelta(days=7), " ", "reason"),
    ]:
        with pytest.raises(ApplicationError) as error:
            services.alert_snooze(actor=actor, alert=alert, until=until, reason=reason)
        assert error.value.field == field
    with pytest.raises(PermissionDenied):
        services.alert_snooze(
            actor=actor_for(implementation_pm),
            alert=alert,
            until=today + datetime.timedelta(days=7),
            reason="Mine now",
        )
    services.alert_snooze(
        actor=actor_for(admin),
        alert=alert,
        until=today + datetime.timedelta(days=90),
        reason="Vendor migrates the feed next month",
    )
    alert.refresh_from_db()
    assert alert.snoozed_until == today + datetime.timedelta(days=90)


# --- Celery ----------------------------------------------------------------------------------


def test_dispatch_checks_every_organization_in_chunks(
    org_a, healthy, outsider_partnership, monkeypatch
):
    from health import tasks

    monkeypatch.setattr(tasks, "CHUNK_SIZE", 1)
    monkeypatch.setattr(tasks, "BEAT_MINUTES", 24 * 60)  # whatever minute the test runs at
    enqueued = health_checks_dispatch_task.delay().get()
    assert enqueued == 2  # one per organization here (one partnership each)
    assert HealthCheck.objects.filter(partnership=healthy).count() == 1
    assert HealthCheck.objects.filter(partnership=outsider_partnership).count() == 1
    health_checks_dispatch_task.delay().get()  # a duplicate beat: same period, nothing new
    assert HealthCheck.objects.count() == 2


def test_the_audits_monthly_qa_figures_count_all_month(org_a, healthy, kpis):
    """The audits' roll-up is dated the 1st of its month; 28 days later it still counts (the
    window's first month counts whole), so QA never drops out at the end of a month."""
    today = healthy.organization.local_today()
    first_of_window_month = (today - datetime.timedelta(days=27)).replace(day=1)
    KpiMeasurement.objects.create(
        organization=org_a,
        partnership=healthy,
        kpi=kpis["qa_correct_guideline"],
        day=first_of_window_month,
        value=Decimal("96"),
        sample_size=12,
        source="audits",
        received_at=NOW,
    )
    # A feed row as old is out of the window.
    old = measure(
        healthy, kpis["service_level_30s"], 10, days_ago=(today - first_of_window_month).days
    )

    run(org_a, NOW)

    texts = [
        m["text"] for m in HealthCheck.objects.get(partnership=healthy).components[0]["measures"]
    ]
    assert any(
        "correct guideline" in text.lower() or "guideline" in text.lower() for text in texts
    ), texts
    assert not any(old.kpi.name in text for text in texts), texts


def test_an_audit_roll_up_or_an_old_upload_never_makes_stale_data_look_fresh(org_a, healthy, kpis):
    """The feed last sent data 10 days ago; since then only the audits' roll-up (dated the
    1st, received now) and a late upload of an old day arrived: the data is still stale."""
    KpiMeasurement.objects.filter(partnership=healthy).update(
        received_at=NOW - datetime.timedelta(days=10),
        day=healthy.organization.local_today() - datetime.timedelta(days=10),
    )
    KpiMeasurement.objects.create(
        organization=org_a,
        partnership=healthy,
        kpi=kpis["qa_correct_guideline"],
        day=healthy.organization.local_today().replace(day=1),
        value=Decimal("96"),
        source="audits",
        received_at=NOW,
    )
    measure(healthy, kpis["service_level_30s"], 80, days_ago=20, received=NOW)

    run(org_a, NOW)

    check = HealthCheck.objects.get(partnership=healthy)
    freshness = next(c for c in check.components if c["key"] == "data_freshness")
    assert freshness["score"] == 0
    assert Alert.objects.filter(partnership=healthy, kind=AlertKind.STALE_DATA).count() == 1


def test_the_sweep_counts_open_issues_by_severity_and_those_past_their_sla(
    org_a, healthy, account_manager
):
    """The issues component reads, per partnership, the open issues by severity and how many
    are past a target (counted in the database): a critical one 48 h old is past both, a
    fresh high one is in time, a resolved one is not counted."""
    from health import selectors

    user = account_manager.user
    critical_issue(healthy, user, hours_ago=48)
    critical_issue(healthy, user, hours_ago=0.25)  # in time: due in 45 minutes
    fresh = critical_issue(healthy, user, hours_ago=1)
    Issue.objects.filter(pk=fresh.pk).update(severity="high", response_minutes=240)
    done = critical_issue(healthy, user, hours_ago=72)
    Issue.objects.filter(pk=done.pk).update(status="resolved", resolved_at=NOW)
    facts = selectors.check_inputs(
        organization=org_a,
        period_start=NOW,
        now=NOW,
        settings=selectors.health_settings_for(organization=org_a),
    )
    issues = next(item for item in facts if item.id == healthy.pk).inputs.issues
    assert dict(issues.open_by_severity) == {"critical": 2, "high": 1}
    assert issues.breached == 1
    run(org_a, NOW)
    component = next(
        c for c in HealthCheck.objects.get(partnership=healthy).components if c["key"] == "issues"
    )
    assert component["reason"] == (
        "3 open issues (2 critical, 1 high), 1 past the resolution target."
    )


def test_the_sweep_reads_the_discovery_checklist_as_the_checklist_page_does(
    org_a, partnership, account_manager
):
    """The discovery component counts the checklist's items in a few reads for every
    partnership at once; step by step it agrees with `discovery_checklist`, which reads one
    partnership at a time, and the sign-off shows."""
    from discovery.models import DiscoverySignOff, GoalSignOff
    from discovery.selectors import discovery_checklist
    from health import selectors
    from tests.discovery.factories import (
        DiscoverySessionFactory,
        ExperienceGoalFactory,
        ReviewedReportFactory,
    )

    user = account_manager.user

    def facts():
        found = selectors.check_inputs(
            organization=org_a,
            period_start=NOW,
            now=NOW,
            settings=selectors.health_settings_for(organization=org_a),
        )
        return next(item for item in found if item.id == partnership.pk).inputs.discovery

    def checklist_done():
        return sum(item.done for item in discovery_checklist(partnership=partnership).items)

    assert facts().items_done == checklist_done() == 0
    DiscoverySessionFactory(partnership=partnership)
    assert facts().items_done == checklist_done() == 1
    assert "a discovery session" not in facts().missing
    ReviewedReportFactory(partnership=partnership)
    KpiBaselineFactory(partnership=partnership)  # its service line has a baseline
    assert facts().items_done == checklist_done() == 3
    ExperienceGoalFactory(partnership=partnership)
    GoalSignOff.objects.create(
        organization=org_a, partnership=partnership, signed_by=user, signed_at=NOW, goals=[]
    )
    assert facts().items_done == checklist_done() == 4
    assert facts().missing == ("reviewed call flows",)
    assert not facts().signed_off
    DiscoverySignOff.objects.create(
        organization=org_a, partnership=partnership, signed_by=user, signed_at=NOW, checklist={}
    )
    assert facts().signed_off
