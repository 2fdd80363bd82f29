"""Call-quality audits: the result (a missed red flag fails automatically; not-applicable items
leave the denominator), the triage-error consistency errors naming the field, the monthly
roll-up into the QA KPIs (values, n, idempotent, updated after a delete), permissions on the
service, the API and the Quality tab, and flat query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from health.models import CallAudit, KpiMeasurement, MeasurementSource
from health.services import audits as services
from tenancy.errors import ApplicationError
from tenancy.models import AuditEvent
from tenancy.rest import NOT_FOUND

pytestmark = pytest.mark.django_db

YES, NO, NA = "yes", "no", "na"
RUBRIC = ("introduction", "empathy", "plain_language", "teach_back", "safety_net")
ALL_YES = {
    "guideline_correct": YES,
    "disposition_correct": YES,
    "documentation_complete": YES,
    **{name: YES for name in (*RUBRIC, "respectful_closing")},
}
JUNE = datetime.date(2026, 6, 10)


def record(actor_for, membership, partnership, *, auditor=None, **fields) -> CallAudit:
    fields.setdefault("call_date", JUNE)
    return services.audit_record(
        actor=actor_for(membership),
        partnership=partnership,
        auditor=auditor or membership.user,
        **fields,
    )


def measurements(partnership) -> dict[str, tuple[Decimal, int]]:
    return {
        row.kpi.key: (row.value, row.sample_size)
        for row in KpiMeasurement.objects.filter(partnership=partnership).select_related("kpi")
    }


# --- The result of one audit ---------------------------------------------------------------


def test_a_missed_red_flag_fails_the_audit_whatever_the_other_items():
    audit = CallAudit(**ALL_YES, red_flag_missed=True, triage_error="under")
    result = services.audit_result(audit)
    assert result["passed"] is False
    assert result["score"] == Decimal("100.0")  # every item "yes", and still a fail
    assert result["reasons"][0].startswith("Red flag missed")


def test_every_critical_item_yes_passes_and_a_wrong_protocol_fails():
    assert services.audit_result(CallAudit(**ALL_YES))["passed"] is True
    wrong = CallAudit(**{**ALL_YES, "guideline_correct": NO})
    result = services.audit_result(wrong)
    assert result["passed"] is False
    assert "Wrong protocol (guideline)." in result["reasons"]


def test_not_applicable_items_leave_the_denominator():
    audit = CallAudit(
        guideline_correct=YES,
        disposition_correct=NA,
        documentation_complete=NA,
        introduction=YES,
        empathy=NO,
        plain_language=NA,
        teach_back=NA,
        safety_net=NA,
        respectful_closing=NA,
    )
    result = services.audit_result(audit)
    assert result["compassion_score"] == Decimal("50.0")  # 1 of 2 answered, not 1 of 6
    assert result["score"] == Decimal("66.7")  # 2 yes of 3 answered
    sections = {section["key"]: section for section in result["sections"]}
    assert sections["disposition"]["score"] is None  # all n/a: no score, not zero
    assert result["passed"] is True


def test_an_audit_with_every_item_not_applicable_has_no_scores():
    result = services.audit_result(CallAudit())
    assert result["score"] is None
    assert result["compassion_score"] is None


# --- Recording: consistency and permissions ------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"disposition_correct": NO}, "under-triage or over-triage"),
        ({"disposition_correct": YES, "triage_error": "over"}, "no under- or over-triage"),
        (
            {"disposition_correct": NO, "triage_error": "over", "red_flag_missed": True},
            "A missed red flag is an under-triage",
        ),
    ],
)
def test_inconsistent_triage_answers_are_refused_naming_triage_error(
    actor_for, implementation_pm, partnership, fields, message
):
    with pytest.raises(ApplicationError) as caught:
        record(actor_for, implementation_pm, partnership, **fields)
    assert caught.value.field == "triage_error"
    assert message in caught.value.message
    assert not CallAudit.objects.exists()


def test_a_pm_records_an_audit_which_is_audited_and_rolled_up(
    actor_for, implementation_pm, partnership, kpis
):
    audit = record(actor_for, implementation_pm, partnership, **ALL_YES, call_reference="ACD-1001")
    assert audit.partnership == partnership
    assert AuditEvent.objects.filter(verb="health_audit.created", target_id=str(audit.pk)).exists()
    assert measurements(partnership)["qa_correct_guideline"] == (Decimal("100.000"), 1)


def test_the_auditor_must_be_a_provider_member(
    actor_for, implementation_pm, client_executive, outsider, partnership
):
    for person in (client_executive, outsider):
        with pytest.raises(ApplicationError) as caught:
            record(actor_for, implementation_pm, partnership, auditor=person.user)
        assert caught.value.field == "auditor"


def test_a_client_executive_may_not_record_an_audit(actor_for, client_executive, partnership):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        record(actor_for, client_executive, partnership)


# --- The monthly roll-up --------------------------------------------------------------------


def test_the_roll_up_writes_the_qa_kpis_with_their_n(
    actor_for, implementation_pm, partnership, kpis
):
    record(actor_for, implementation_pm, partnership, **ALL_YES)
    record(
        actor_for,
        implementation_pm,
        partnership,
        guideline_correct=NO,
        disposition_correct=NO,
        triage_error="under",
        introduction=YES,
        empathy=NO,
    )
    # Guideline and disposition n/a: left out of those two figures.
    record(actor_for, implementation_pm, partnership, introduction=NO)
    # Another month does not count in June.
    record(
        actor_for, implementation_pm, partnership, call_date=datetime.date(2026, 7, 1), **ALL_YES
    )
    june = {
        row.kpi.key: row
        for row in KpiMeasurement.objects.filter(
            partnership=partnership, day=datetime.date(2026, 6, 1)
        ).select_related("kpi")
    }
    assert {key: (row.value, row.sample_size) for key, row in june.items()} == {
        "qa_correct_guideline": (Decimal("50.000"), 2),
        "qa_correct_disposition": (Decimal("50.000"), 2),
        # 6 yes + 1 yes / 1 no + 1 no: 7 of 9 answers, over 3 audits
        "compassion_score": (Decimal("77.800"), 3),
    }
    assert all(row.source == MeasurementSource.AUDITS for row in june.values())
    assert all(row.service_line_id is None and row.line_key == 0 for row in june.values())


def test_rolling_up_again_writes_the_same_rows_never_more(
    actor_for, implementation_pm, partnership, kpis
):
    record(actor_for, implementation_pm, partnership, **ALL_YES)
    before = list(KpiMeasurement.objects.order_by("pk").values("pk", "kpi_id", "day", "value"))
    for _ in range(2):
        services.audits_roll_up(partnership=partnership, month=datetime.date(2026, 6, 30))
    after = list(KpiMeasurement.objects.order_by("pk").values("pk", "kpi_id", "day", "value"))
    assert after == before
    assert len(after) == 3


def test_deleting_an_audit_updates_the_month_and_the_last_one_clears_it(
    actor_for, implementation_pm, partnership, kpis
):
    keep = record(actor_for, implementation_pm, partnership, **ALL_YES)
    gone = record(actor_for, implementation_pm, partnership, guideline_correct=NO)
    assert measurements(partnership)["qa_correct_guideline"] == (Decimal("50.000"), 2)
    services.audit_delete(actor=actor_for(implementation_pm), audit=gone)
    assert measurements(partnership)["qa_correct_guideline"] == (Decimal("100.000"), 1)
    services.audit_delete(actor=actor_for(implementation_pm), audit=keep)
    assert measurements(partnership) == {}


def test_moving_an_audit_to_another_month_rolls_up_both(
    actor_for, implementation_pm, partnership, kpis
):
    audit = record(actor_for, implementation_pm, partnership, **ALL_YES)
    services.audit_update(
        actor=actor_for(implementation_pm), audit=audit, call_date=datetime.date(2026, 5, 20)
    )
    days = set(KpiMeasurement.objects.values_list("day", flat=True))
    assert days == {datetime.date(2026, 5, 1)}


# --- API ------------------------------------------------------------------------------------


def test_api_create_returns_the_result_and_defaults_the_auditor(
    as_api, api_url, implementation_pm, partnership, kpis
):
    response = as_api(implementation_pm).post(
        api_url("health-audit-list", partnership),
        {
            "call_date": "2026-06-02",
            **ALL_YES,
            "disposition_correct": NO,
            "triage_error": "under",
            "red_flag_missed": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["auditor"]["id"] == implementation_pm.user.pk
    assert body["result"]["passed"] is False
    assert body["result"]["reasons"][0].startswith("Red flag missed")


def test_api_bad_input_names_the_field_and_saves_nothing(
    as_api, api_url, implementation_pm, partnership
):
    client = as_api(implementation_pm)
    url = api_url("health-audit-list", partnership)
    response = client.post(url, {"call_date": "2026-06-02", "disposition_correct": NO})
    assert response.status_code == 400
    assert "triage_error" in response.json()
    response = client.post(url, {"call_date": "soon", "guideline_correct": "maybe"})
    assert response.status_code == 400
    assert {"call_date", "guideline_correct"} <= set(response.json())
    assert not CallAudit.objects.exists()


def test_api_partial_update_and_delete(as_api, api_url, actor_for, implementation_pm, partnership):
    audit = record(actor_for, implementation_pm, partnership, **ALL_YES)
    client = as_api(implementation_pm)
    url = api_url("health-audit-detail", partnership, pk=audit.pk)
    response = client.patch(url, {"notes": "Good call"}, format="json")
    assert response.status_code == 200, response.json()
    audit.refresh_from_db()
    assert audit.notes == "Good call"
    assert audit.guideline_correct == YES  # untouched by a partial update
    assert client.delete(url).status_code == 204
    assert not CallAudit.objects.exists()


def test_api_client_executive_and_other_tenant_get_404(
    as_api, api_url, actor_for, implementation_pm, client_executive, outsider, partnership
):
    audit = record(actor_for, implementation_pm, partnership)
    for membership in (client_executive, outsider):
        client = as_api(membership)
        for url in (
            api_url("health-audit-list", partnership),
            api_url("health-audit-detail", partnership, pk=audit.pk),
        ):
            response = client.get(url)
            assert response.status_code == 404, (membership, url)
            assert response.json()["detail"] == NOT_FOUND


def test_api_an_account_manager_of_another_partnership_may_read_not_write(
    as_api, api_url, account_manager, other_client_partnership
):
    client = as_api(account_manager)
    url = api_url("health-audit-list", other_client_partnership)
    assert client.get(url).status_code == 200
    assert client.post(url, {"call_date": "2026-06-02"}).status_code == 403


def test_api_list_queries_stay_flat(
    as_api, api_url, actor_for, implementation_pm, partnership, service
):
    client = as_api(implementation_pm)
    url = api_url("health-audit-list", partnership)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    record(actor_for, implementation_pm, partnership, service_line=service)
    few = count()
    for _ in range(12):
        record(actor_for, implementation_pm, partnership, service_line=service)
    assert count() == few


# --- The Quality tab ------------------------------------------------------------------------


def page(name: str, partnership, **kwargs) -> str:
    return reverse(
        f"health:{name}",
        kwargs={"org_slug": partnership.organization.slug, "partnership_pk": partnership.pk}
        | kwargs,
    )


def test_the_quality_tab_shows_pass_fail_markers_and_the_month_against_target(
    as_member, actor_for, implementation_pm, partnership, kpis
):
    record(actor_for, implementation_pm, partnership, **ALL_YES, call_reference="ACD-1")
    record(
        actor_for,
        implementation_pm,
        partnership,
        disposition_correct=NO,
        triage_error="under",
        red_flag_missed=True,
        call_reference="ACD-2",
    )
    record(
        actor_for,
        implementation_pm,
        partnership,
        disposition_correct=NO,
        triage_error="over",
        call_reference="ACD-3",
    )
    response = as_member(implementation_pm).get(page("quality", partnership))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Passed" in html and "Failed" in html
    assert "Red flag missed" in html and "Over-triage" in html
    assert "June 2026" in html
    assert "target 95%" in html
    assert "below target" in html  # disposition 33.3% of 95
    assert ">Quality</a>" in html and ">Touchpoints</a>" in html


def test_a_pm_records_an_audit_through_the_form(as_member, implementation_pm, partnership, kpis):
    data = {
        "call_date": "2026-06-03",
        "auditor": implementation_pm.user.pk,
        **ALL_YES,
        "triage_error": "none",
        "notes": "",
    }
    response = as_member(implementation_pm).post(page("audit-create", partnership), data)
    assert response.status_code == 302, response.context["form"].errors
    assert CallAudit.objects.get().call_date == datetime.date(2026, 6, 3)


def test_the_form_puts_a_triage_error_on_its_field(as_member, implementation_pm, partnership):
    data = {
        "call_date": "2026-06-03",
        "auditor": implementation_pm.user.pk,
        **ALL_YES,
        "disposition_correct": NO,
        "triage_error": "none",
    }
    response = as_member(implementation_pm).post(page("audit-create", partnership), data)
    assert response.status_code == 200
    assert "under-triage or over-triage" in str(response.context["form"].errors["triage_error"])
    assert not CallAudit.objects.exists()


def test_the_quality_pages_are_404_to_a_client_executive_and_another_tenant(
    as_member, client_executive, outsider, partnership
):
    for membership in (client_executive, outsider):
        client = as_member(membership)
        assert client.get(page("quality", partnership)).status_code == 404
        assert client.get(page("audit-create", partnership)).status_code == 404


def test_the_client_executive_sees_no_quality_tab(as_member, client_executive, partnership):
    response = as_member(client_executive).get(
        reverse("partnerships:detail", args=[partnership.organization.slug, partnership.pk])
    )
    assert response.status_code == 200
    assert ">Quality</a>" not in response.content.decode()


def test_the_quality_tab_queries_stay_flat(
    as_member, actor_for, implementation_pm, partnership, service, kpis
):
    client = as_member(implementation_pm)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page("quality", partnership)).status_code == 200
        return len(queries)

    record(actor_for, implementation_pm, partnership, service_line=service, **ALL_YES)
    count()  # the first page view remembers the organization in the session
    few = count()
    for month in (3, 4, 5):
        for _ in range(4):
            record(
                actor_for,
                implementation_pm,
                partnership,
                service_line=service,
                call_date=datetime.date(2026, month, 5),
            )
    assert count() == few


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (
            {"disposition_correct": "na", "triage_error": "under", "red_flag_missed": True},
            "disposition_correct",
        ),
        ({"disposition_correct": "na", "triage_error": "over"}, "disposition_correct"),
    ],
)
def test_a_wrong_disposition_is_never_left_out_of_the_figures(
    actor_for, implementation_pm, live, kpis, fields, field
):
    from health.services.audits import audit_record as record

    with pytest.raises(ApplicationError) as caught:
        record(
            actor=actor_for(implementation_pm),
            partnership=live,
            auditor=implementation_pm.user,
            call_date=datetime.date(2026, 6, 2),
            guideline_correct="yes",
            **fields,
        )
    assert caught.value.field == field
    assert not CallAudit.objects.exists()


def test_a_call_cannot_be_audited_before_it_happened(actor_for, implementation_pm, live, kpis):
    from health.services.audits import audit_record as record

    tomorrow = live.organization.local_today() + datetime.timedelta(days=1)
    with pytest.raises(ApplicationError) as caught:
        record(
            actor=actor_for(implementation_pm),
            partnership=live,
            auditor=implementation_pm.user,
            call_date=tomorrow,
        )
    assert caught.value.field == "call_date"
