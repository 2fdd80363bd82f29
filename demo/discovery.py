"""Demo discovery data, written through the services (so it obeys every rule it shows).

`seed_complete_discovery` gives a partnership a signed-off, co-signed discovery with a
realistic after-hours triage call flow, baselines, reports, sessions, goals and two
opportunities; `seed_discovery_in_progress` one that is half done (baselines missing, a call
flow with a dead end, a report not yet reviewed, goals not signed off by the client). Both do
nothing for a partnership that already has services, and return what they created as
(kind, what) pairs. `seed_discovery` applies them to the demo clients; `manage.py seed_demo`
calls it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from discovery import services
from discovery.models import KpiDefinition, ServiceLine
from partnerships.models import Partnership
from tenancy.audit import Actor
from tenancy.models import Membership, Organization, Role

Created = list[tuple[str, str]]

# The demo clients (demo/management/commands/seed_demo.py) by client name.
LAKESHORE = "Lakeshore University Student Health"
PRAIRIE_VIEW = "Prairie View Community Hospital"


def _node(key: str, kind: str, label: str) -> dict[str, str]:
    return {"key": key, "kind": kind, "label": label}


def _edge(source: str, target: str, condition: str = "") -> dict[str, str]:
    return {"source": source, "target": target, "condition": condition}


# The university's after-hours line as the night nurses first sketched it (version 1) ...
UNIVERSITY_SKETCH: dict = {
    "nodes": [
        _node("entry", "entry", "Student calls the after-hours line"),
        _node(
            "menu",
            "ivr_menu",
            "Greeting and menu: 1 for a nurse, 2 for appointments",
        ),
        _node("emergency_message", "emergency_escalation", "Emergency message: hang up, dial 911"),
        _node("appointments", "voicemail", "Appointment requests voicemail"),
        _node("nurse_queue", "queue", "Nurse queue"),
        _node("triage", "triage_protocol", "Nurse triage (telephone protocols)"),
        _node("ed_now", "emergency_escalation", "911 / ED now: nurse stays on the line"),
        _node("page_on_call", "oncall_page", "Page the on-call physician"),
        _node("md_transfer", "warm_transfer", "Warm transfer to the on-call physician"),
        _node("end", "end", "Call complete, advice documented"),
    ],
    "edges": [
        _edge("entry", "menu"),
        _edge("menu", "emergency_message", "Emergency (message plays first)"),
        _edge("menu", "nurse_queue", "Press 1: nurse"),
        _edge("menu", "appointments", "Press 2: appointments"),
        _edge("emergency_message", "end"),
        _edge("appointments", "end", "Booked next business day"),
        _edge("nurse_queue", "triage", "Nurse answers"),
        _edge("triage", "ed_now", "Emergent: 911 / ED now"),
        _edge("triage", "page_on_call", "Physician needed tonight"),
        _edge("triage", "end", "Home care advice"),
        _edge("page_on_call", "md_transfer", "Physician calls in"),
        _edge("ed_now", "end"),
        _edge("md_transfer", "end"),
    ],
}


def _with(document: dict, *, nodes=(), edges=(), drop_nodes=(), drop_edges=()) -> dict:
    """A copy of `document` with nodes and edges added (or replaced by key) and dropped."""
    by_key = {node["key"]: dict(node) for node in document["nodes"]}
    for node in nodes:
        by_key[node["key"]] = node
    kept = [key for key in by_key if key not in drop_nodes]
    pairs = {(e["source"], e["target"]): dict(e) for e in document["edges"]}
    for edge in edges:
        pairs[(edge["source"], edge["target"])] = edge
    return {
        "nodes": [by_key[key] for key in kept],
        "edges": [
            edge
            for pair, edge in pairs.items()
            if pair not in drop_edges and not set(pair) & set(drop_nodes)
        ],
    }


# ... after the walk-through: the overflow voicemail and the nurse callbacks (version 2,
# reviewed). entry → IVR menu (1 nurse / 2 appointments / emergency message) → queue →
# triage → warm transfer via the on-call page, callback, 911/ED, end.
UNIVERSITY_CURRENT = _with(
    UNIVERSITY_SKETCH,
    nodes=[
        _node("overflow_voicemail", "voicemail", "Overflow voicemail, checked every 30 min"),
        _node("nurse_callback", "callback", "Nurse calls the student back"),
    ],
    edges=[
        _edge("nurse_queue", "overflow_voicemail", "Hold > 10 min"),
        _edge("overflow_voicemail", "nurse_callback"),
        _edge("nurse_callback", "triage", "Student reached"),
        _edge("nurse_callback", "end", "3 attempts, no answer"),
        _edge("triage", "nurse_callback", "Recheck symptoms in 2 hours"),
    ],
)

# The provider's design: virtual hold instead of the overflow voicemail, interpreters on
# every shift, a warm transfer straight to the on-call physician (paging as a fallback) and
# to the on-call counselor for mental-health calls.
UNIVERSITY_FUTURE = _with(
    UNIVERSITY_CURRENT,
    nodes=[
        _node(
            "menu",
            "ivr_menu",
            "Greeting and menu: 1 for a nurse, 2 for appointments; interpreters on request",
        ),
        _node("overflow_voicemail", "callback", "Virtual hold: keep your place, nurse calls back"),
        _node("interpreter", "warm_transfer", "Interpreter conferenced in (Mandarin, Hindi)"),
        _node("counselor", "warm_transfer", "Warm transfer to the on-call counselor (< 60 s)"),
        _node("appointments", "callback", "Scheduling team calls back by 10:00"),
    ],
    edges=[
        _edge("nurse_queue", "overflow_voicemail", "Hold > 2 min, student opts in"),
        _edge("nurse_queue", "interpreter", "Language other than English"),
        _edge("interpreter", "triage"),
        _edge("triage", "md_transfer", "Physician needed tonight"),
        _edge("md_transfer", "page_on_call", "Physician unavailable: page"),
        _edge("page_on_call", "end", "Physician calls the student"),
        _edge("triage", "counselor", "Mental-health crisis"),
        _edge("counselor", "end"),
        _edge("appointments", "end", "Appointment booked"),
    ],
    drop_edges=[("triage", "page_on_call"), ("page_on_call", "md_transfer")],
)


def _pdf(title: str) -> bytes:
    # A minimal well-formed PDF: enough for the content check and a viewer.
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        + f"% {title}\n".encode()
        + b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def _kpis(partnership: Partnership) -> dict[str, KpiDefinition]:
    services.kpi_catalog_ensure(organization=partnership.organization)
    return {
        kpi.key: kpi
        for kpi in KpiDefinition.objects.filter(organization_id=partnership.organization_id)
    }


def _period(today: datetime.date) -> dict[str, datetime.date]:
    return {
        "period_start": today - datetime.timedelta(days=120),
        "period_end": today - datetime.timedelta(days=30),
    }


def _baselines(actor, partnership, service, kpis, figures, period, report=None) -> int:
    for key, value in figures:
        services.baseline_create(
            actor=actor,
            partnership=partnership,
            service_line=service,
            kpi=kpis[key],
            value=Decimal(value),
            source_report=report,
            **period,
        )
    return len(figures)


def seed_complete_discovery(
    *,
    partnership: Partnership,
    manager: Actor,
    pm: Actor,
    executive: Actor,
    today: datetime.date,
) -> Created:
    """A university after-hours line whose discovery is complete, signed off and co-signed."""
    if ServiceLine.objects.filter(partnership=partnership).exists():
        return []
    created: Created = []
    kpis = _kpis(partnership)
    period = _period(today)

    triage = services.service_line_create(
        actor=pm,
        partnership=partnership,
        kind="after_hours_triage",
        name="After-hours nurse triage",
        hours="Weeknights 17:00 to 08:00; weekends and university holidays around the clock",
        monthly_volume=2100,
        description="Two RNs on protocols; peaks on Sunday evenings and at the start of term.",
    )
    paging = services.service_line_create(
        actor=pm,
        partnership=partnership,
        kind="on_call_paging",
        name="Physician on-call paging",
        hours="Same as the triage line",
        monthly_volume=180,
        description="Clinicians and pharmacies reaching the student health physician on call.",
    )
    refills = services.service_line_create(
        actor=pm,
        partnership=partnership,
        kind="refill_requests",
        name="Prescription refill requests",
        hours="Voicemail after hours, handled next business day",
        monthly_volume=240,
    )
    created += [("service", s.name) for s in (triage, paging, refills)]

    acd = services.report_create(
        actor=pm,
        partnership=partnership,
        upload=SimpleUploadedFile(
            "acd-spring-term.csv",
            b"week,offered,answered,abandoned,asa_seconds\n"
            b"1,540,497,43,41\n2,512,474,38,37\n3,488,452,36,36\n",
        ),
        name="ACD interval report, spring term",
        source_system="Cisco UCCX",
        findings="Abandonment climbs to 12% on Sunday evenings when both nurses are on calls; "
        "the overflow voicemail is checked only every 30 minutes.",
        **period,
    )
    qa = services.report_create(
        actor=pm,
        partnership=partnership,
        upload=SimpleUploadedFile("nurse-qa-audit.pdf", _pdf("Nurse QA audit summary")),
        name="Nurse QA audit summary",
        source_system="Internal QA review",
        findings="Guideline selection is strong; dispositions for mental-health calls vary "
        "between the two nurses.",
        **period,
    )
    created += [("report", r.name) for r in (acd, qa)]

    count = _baselines(
        pm,
        partnership,
        triage,
        kpis,
        [
            ("average_speed_of_answer", "38"),
            ("abandonment_rate", "7.8"),
            ("triage_callback_time", "34"),
            ("service_level_30s", "71"),
            ("average_handle_time", "11.5"),
            ("qa_correct_guideline", "96"),
            ("qa_correct_disposition", "94"),
            ("caller_satisfaction", "92"),
            ("emergency_disposition_rate", "6.5"),
        ],
        period,
        report=acd,
    )
    count += _baselines(
        pm, partnership, paging, kpis, [("average_speed_of_answer", "25")], period, report=acd
    )
    count += _baselines(
        pm,
        partnership,
        refills,
        kpis,
        [("average_speed_of_answer", "52"), ("abandonment_rate", "11")],
        period,
    )
    created.append(("baselines", f"{count} for {partnership}"))

    current = services.call_flow_create(
        actor=pm,
        partnership=partnership,
        service_line=triage,
        name="After-hours student nurse line",
        state="current",
        description="As the night nurses and the IVR configuration describe it.",
        graph=UNIVERSITY_SKETCH,
        note="First sketch from the IVR configuration.",
    )
    reviewed = services.call_flow_version_create(
        actor=pm,
        call_flow=current,
        graph=UNIVERSITY_CURRENT,
        note="Walked through with the night nurses: overflow voicemail and callbacks added.",
    )
    services.call_flow_version_review(actor=manager, version=reviewed)
    future = services.call_flow_create(
        actor=pm,
        partnership=partnership,
        service_line=triage,
        name="After-hours student nurse line",
        state="future",
        description="Virtual hold instead of the overflow voicemail; interpreters; physicians "
        "and counselors warm-transferred.",
        graph=UNIVERSITY_CURRENT,
        note="Copied from the current state v2.",
    )
    services.call_flow_version_create(
        actor=pm, call_flow=future, graph=UNIVERSITY_FUTURE, note="Proposed design."
    )
    created += [("call flow", str(current)), ("call flow", str(future))]

    for offset, title, notes, decisions in (
        (
            -100,
            "Discovery kickoff with student health leadership",
            "Reviewed services, volumes and the night nurses' concerns.",
            "Weekly check-ins on Tuesdays; reports shared by the IT analyst.",
        ),
        (
            -60,
            "Desired patient experience workshop with student representatives",
            "Students want the reasoning behind advice, not only a disposition; international "
            "students want interpretation without waiting.",
            "Goals agreed: answer within 30 seconds, callbacks within 30 minutes, CSAT at or "
            "above today's 92%.",
        ),
    ):
        session = services.session_create(
            actor=manager,
            partnership=partnership,
            held_on=today + datetime.timedelta(days=offset),
            title=title,
            attendees="Director of Student Health\nNight nurse lead\nStudent government "
            "health liaison\nNorthstar account manager",
            notes=notes,
            decisions=decisions,
        )
        created.append(("discovery session", session.title))

    for statement, key, target, priority in (
        (
            "Students reach a nurse within 30 seconds, even on Sunday evenings",
            "average_speed_of_answer",
            "30",
            1,
        ),
        (
            "A student who leaves a message hears back from a nurse within 30 minutes",
            "triage_callback_time",
            "30",
            1,
        ),
        ("Students feel their questions were answered in depth", "caller_satisfaction", "92", 2),
        ("Every caller is treated with warmth and plain explanations", "compassion_score", "92", 2),
    ):
        goal = services.goal_create(
            actor=manager,
            partnership=partnership,
            statement=statement,
            kpi=kpis[key],
            target=Decimal(target),
            priority=priority,
        )
        created.append(("experience goal", goal.statement))
    services.goals_sign_off(
        actor=executive, partnership=partnership, note="Agreed with the student representatives."
    )
    services.discovery_sign_off(
        actor=manager, partnership=partnership, note="All services, flows and reports reviewed."
    )
    services.discovery_cosign(actor=executive, partnership=partnership)
    created.append(("discovery sign-off", str(partnership)))

    accepted = services.opportunity_create(
        actor=manager,
        partnership=partnership,
        title="Virtual hold instead of the overflow voicemail",
        description="Callers keep their place in line and a nurse calls back, instead of a "
        "voicemail checked every 30 minutes.",
        service_line=triage,
        kpi=kpis["abandonment_rate"],
        expected_effect="Abandonment from 7.8% to under 5%",
        expected_value=Decimal("4.5"),
        effort="low",
    )
    services.opportunity_decide(
        actor=executive, opportunity=accepted, decision="accepted", note="Yes, before fall term."
    )
    proposed = services.opportunity_create(
        actor=pm,
        partnership=partnership,
        title="Warm transfer for clinicians instead of paging",
        description="Pharmacies and clinicians reach the on-call physician directly.",
        service_line=paging,
        kpi=kpis["average_speed_of_answer"],
        expected_effect="Physicians reached in under a minute instead of a page and callback",
        effort="medium",
    )
    created += [("opportunity", accepted.title), ("opportunity", proposed.title)]
    return created


def seed_discovery_in_progress(
    *, partnership: Partnership, worker: Actor, today: datetime.date
) -> Created:
    """A rural hospital's discovery half done: what is missing shows on the checklist."""
    if ServiceLine.objects.filter(partnership=partnership).exists():
        return []
    created: Created = []
    kpis = _kpis(partnership)
    period = _period(today)
    triage = services.service_line_create(
        actor=worker,
        partnership=partnership,
        kind="after_hours_triage",
        name="After-hours triage at the ED nurses' station",
        hours="Every night 19:00 to 07:00",
        monthly_volume=420,
    )
    for kind, name, volume in (
        ("post_discharge_calls", "Post-discharge follow-up calls", 160),
        ("refill_requests", "Rural health clinic refill requests", 90),
        ("on_call_paging", "On-call paging (two family physicians, visiting surgeon)", 60),
    ):
        service = services.service_line_create(
            actor=worker, partnership=partnership, kind=kind, name=name, monthly_volume=volume
        )
        created.append(("service", service.name))
    created.append(("service", triage.name))
    count = _baselines(
        worker,
        partnership,
        triage,
        kpis,
        [
            ("average_speed_of_answer", "95"),
            ("abandonment_rate", "14"),
            ("caller_satisfaction", "88"),
        ],
        period,
    )
    created.append(("baselines", f"{count} for {partnership}"))
    flow = services.call_flow_create(
        actor=worker,
        partnership=partnership,
        service_line=triage,
        name="ED station after-hours calls",
        state="current",
        graph={
            "nodes": [
                {"key": "entry", "kind": "entry", "label": "Caller dials the hospital"},
                {"key": "operator", "kind": "ivr_menu", "label": "Switchboard operator"},
                {"key": "ed_station", "kind": "queue", "label": "ED nurses' station"},
                {"key": "triage", "kind": "triage_protocol", "label": "Charge nurse triage"},
                {"key": "er", "kind": "emergency_escalation", "label": "Come to the ED now"},
                {"key": "page", "kind": "oncall_page", "label": "Page the family physician"},
                {"key": "voicemail", "kind": "voicemail", "label": "Station voicemail"},
                {"key": "end", "kind": "end", "label": "Call complete"},
            ],
            "edges": [
                {"source": "entry", "target": "operator", "condition": ""},
                {"source": "operator", "target": "ed_station", "condition": "Medical question"},
                {"source": "ed_station", "target": "triage", "condition": "Nurse free"},
                {"source": "ed_station", "target": "voicemail", "condition": "No answer"},
                {"source": "triage", "target": "er", "condition": "Emergent"},
                {"source": "triage", "target": "page", "condition": "Physician needed"},
                {"source": "triage", "target": "end", "condition": "Advice given"},
                {"source": "er", "target": "end", "condition": ""},
                {"source": "page", "target": "end", "condition": ""},
            ],
        },
        note="First sketch from the on-site visit; voicemail follow-up still unknown.",
    )
    created.append(("call flow", str(flow)))
    report = services.report_create(
        actor=worker,
        partnership=partnership,
        upload=SimpleUploadedFile(
            "station-call-log.csv",
            b"date,calls,answered_by_nurse,voicemails\n2026-01-05,14,11,3\n2026-01-06,12,10,2\n",
        ),
        name="ED station call log (paper log, transcribed)",
        source_system="Paper log",
        **period,
    )
    created.append(("report", report.name))
    session = services.session_create(
        actor=worker,
        partnership=partnership,
        held_on=today - datetime.timedelta(days=7),
        title="On-site visit at the ED nurses' station",
        attendees="Chief nursing officer\nED charge nurses\nNorthstar account manager",
        notes="Callers often ask for a nurse by name; many are on landlines.",
        decisions="Desired patient experience session with the CNO to be scheduled.",
    )
    created.append(("discovery session", session.title))
    for statement, key, target, priority in (
        (
            "Callers reach a nurse in under a minute, any night of the week",
            "average_speed_of_answer",
            "60",
            1,
        ),
        (
            "Older callers get plain language, unhurried calls and explicit next steps",
            "caller_satisfaction",
            "90",
            1,
        ),
    ):
        goal = services.goal_create(
            actor=worker,
            partnership=partnership,
            statement=statement,
            kpi=kpis[key],
            target=Decimal(target),
            priority=priority,
        )
        created.append(("experience goal", goal.statement))
    return created


def _actor(organization: Organization, email: str, actor: Actor) -> Actor:
    membership = (
        Membership.objects.select_related("organization", "user")
        .filter(organization=organization, user__email__iexact=email)
        .first()
    )
    if membership is None:
        return actor
    return Actor(membership=membership, user_agent=actor.user_agent)


def seed_discovery(*, organization: Organization, actor: Actor) -> Created:
    """Discovery for the demo: complete and signed off for the university, in progress for
    the rural hospital. Partnerships of other clients (and those done already) are left
    alone."""
    created: Created = []
    today = timezone.localdate()
    partnerships = {
        partnership.client.name: partnership
        for partnership in Partnership.objects.filter(
            organization=organization, client__name__in=(LAKESHORE, PRAIRIE_VIEW)
        ).select_related("client", "organization", "account_manager")
    }
    if university := partnerships.get(LAKESHORE):
        executive = (
            Membership.objects.select_related("organization", "user")
            .filter(
                organization=organization,
                role=Role.CLIENT_EXECUTIVE,
                client_id=university.client_id,
            )
            .first()
        )
        manager = university.account_manager
        pm = university.implementation_pms.order_by("pk").first()
        if executive is not None and manager is not None:
            created += seed_complete_discovery(
                partnership=university,
                manager=_actor(organization, manager.email, actor),
                pm=_actor(organization, pm.email, actor) if pm else actor,
                executive=Actor(membership=executive, user_agent=actor.user_agent),
                today=today,
            )
    if hospital := partnerships.get(PRAIRIE_VIEW):
        manager = hospital.account_manager
        worker = _actor(organization, manager.email, actor) if manager else actor
        created += seed_discovery_in_progress(partnership=hospital, worker=worker, today=today)
    return created
