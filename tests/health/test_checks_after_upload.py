"""A KPI upload and an audit re-check the partnership's health once they commit (the eager
Celery of the test settings runs the task in place); a dry run checks nothing."""

from __future__ import annotations

import datetime

import pytest

from health.models import Answer, HealthCheck, MeasurementSource
from health.services.audits import audit_record
from health.services.kpis import measurements_upsert

pytestmark = pytest.mark.django_db


def upsert(actor, partnership, **kwargs):
    return measurements_upsert(
        actor=actor,
        partnership=partnership,
        rows=[{"kpi": "abandonment_rate", "day": "2026-06-02", "value": "4.2"}],
        source=MeasurementSource.API,
        **kwargs,
    )


def test_a_kpi_upload_checks_the_partnership_again(
    actor_for, implementation_pm, live, kpis, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upsert(actor_for(implementation_pm), live)

    check = HealthCheck.objects.get(partnership=live)
    assert check.trigger == "after_upload"


def test_a_dry_run_checks_nothing(
    actor_for, implementation_pm, live, kpis, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upsert(actor_for(implementation_pm), live, dry_run=True)

    assert not HealthCheck.objects.exists()


def test_an_audit_checks_the_partnership_again(
    actor_for, implementation_pm, live, kpis, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        audit_record(
            actor=actor_for(implementation_pm),
            partnership=live,
            auditor=implementation_pm.user,
            call_date=datetime.date(2026, 6, 2),
            guideline_correct=Answer.YES,
            disposition_correct=Answer.YES,
        )

    assert HealthCheck.objects.filter(partnership=live, trigger="after_upload").count() == 1


def test_a_broker_that_cannot_take_the_check_does_not_undo_the_upload(
    actor_for, implementation_pm, live, kpis, django_capture_on_commit_callbacks, monkeypatch
):
    from health import tasks
    from health.models import KpiMeasurement

    def broker_down(**kwargs):
        raise OSError("broker unreachable")

    monkeypatch.setattr(tasks.health_checks_run_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        upsert(actor_for(implementation_pm), live)

    assert KpiMeasurement.objects.filter(partnership=live).count() == 1
    assert not HealthCheck.objects.exists()
