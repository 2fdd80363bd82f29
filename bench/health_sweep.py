"""Benchmark the scheduled health checks: one full sweep against a hand-written SQL anchor.

Builds, in a PostgreSQL database of its own (created and dropped here), N partnerships across
20 organizations, each with a service line, a KPI baseline and an experience goal, 100 days of
KPI measurements (one KPI, one service line: 1,000,000 rows for 10,000 partnerships), a
transition plan of 50 tasks, issues, call audits and touchpoints with follow-ups. Then, per
size:

- the sweep: `health.tasks.health_checks_run_task` per organization and chunk of partnership
  ids, exactly as the hourly dispatcher enqueues them, run in this process: wall time, queries
  and rows written (snapshots and alerts). It runs twice, for two consecutive periods: the
  first finds no earlier snapshot; the second, the hourly steady state, compares with it
  (trend, band worsened, alerts once only); it runs --repeat times (for the next periods) and
  the fastest is the headline, as is the fastest of as many anchors: other work on the
  machine only ever slows a run down.
- the anchor, over the same data: one hand-written SQL aggregate per organization (per
  partnership: the average of the KPI over the last 28 days and the count of open issues)
  and a bulk upsert of the results into a scratch table (INSERT ... ON CONFLICT DO UPDATE).
- at the largest size, the KPI bulk endpoint taking 10,000 rows in one request (the test
  client as an admin; the re-check it enqueues goes to the broker, as in production).

    .venv/bin/python bench/health_sweep.py [--sizes 1000 10000] [--repeat 3] [--profile]
                                           [--keepdb]

It writes bench/results/health_sweep.json with the machine, commit and date. PostgreSQL is
`DATABASE_URL`'s server when that names one, else BENCH_DATABASE_URL's, else
postgres://postgres@127.0.0.1:5432/switchboard; the database is `bench_health_sweep`.
Targets: the sweep within 3x the anchor; queries per organization the same at every size.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import json
import os
import pstats
import sys
import time
import warnings
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/switchboard"
    )

warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.services import api_token_create  # noqa: E402
from bench import machine as bench_machine  # noqa: E402
from config.celery import app as celery_app  # noqa: E402
from discovery.models import (  # noqa: E402
    ExperienceGoal,
    KpiBaseline,
    KpiDefinition,
    ServiceLine,
)
from discovery.models.inventory import ServiceKind  # noqa: E402
from discovery.services import kpi_catalog_ensure  # noqa: E402
from health import selectors  # noqa: E402
from health.models import (  # noqa: E402
    Alert,
    CallAudit,
    FollowUp,
    HealthCheck,
    Issue,
    IssueStatus,
    KpiMeasurement,
    MeasurementSource,
    Severity,
    Touchpoint,
    TouchpointKind,
)
from health.models.issues import DEFAULT_SLA_MINUTES  # noqa: E402
from health.services.checks import period_floor  # noqa: E402
from health.tasks import CHUNK_SIZE, health_checks_run_task  # noqa: E402
from partnerships.models import (  # noqa: E402
    ClientKind,
    ClientOrganization,
    Partnership,
    PartnershipStatus,
)
from tenancy.audit import Actor  # noqa: E402
from tenancy.models import Membership, Organization, Role  # noqa: E402
from transition.models import PlanTask, TransitionPlan  # noqa: E402
from transition.models.plan import Phase, TaskStatus  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "health_sweep.json"
DATABASE = "bench_health_sweep"
ORGANIZATIONS = 20
DAYS = 100
TASKS = 50
KPI = "abandonment_rate"
STATUSES = (  # every one is checked: discovery, transition and live
    [PartnershipStatus.DISCOVERY] * 2
    + [PartnershipStatus.TRANSITION] * 3
    + [PartnershipStatus.LIVE] * 5
)
ISSUES = (  # per partnership: severity, status, opened days ago
    (Severity.CRITICAL, IssueStatus.RESOLVED, 40),
    (Severity.HIGH, IssueStatus.OPEN, 5),
    (Severity.MEDIUM, IssueStatus.WAITING_ON_CLIENT, 12),
    (Severity.LOW, IssueStatus.IN_PROGRESS, 2),
)


# --- Building ----------------------------------------------------------------------------


def copy_rows(model: type[models.Model], rows) -> int:
    """COPY dicts of attribute values into the model's table; other columns take the
    field's default (created_at / updated_at: now). Returns the rows written."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        else:
            defaults[f.attname] = f.get_default()
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    names = [f.attname for f in fields]
    count = 0
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            values = [row.get(name, defaults[name]) for name in names]
            if json_fields:
                values = [
                    Jsonb(v) if n in json_fields else v for n, v in zip(names, values, strict=True)
                ]
            copy.write_row(values)
            count += 1
    return count


def build(size: int, today: datetime.date, now: datetime.datetime) -> dict:
    """`size` partnerships across ORGANIZATIONS organizations, and all they hold."""
    per_org = size // ORGANIZATIONS
    started = time.perf_counter()
    organizations, users = [], {}
    for o in range(ORGANIZATIONS):
        org = Organization.objects.create(
            name=f"Bench {size} org {o:02d}", slug=f"bench-{size}-{o:02d}", time_zone="UTC"
        )
        kpi_catalog_ensure(organization=org)  # the project's own service: 10 KPIs
        people = {}
        for role in (Role.ADMIN, Role.ACCOUNT_MANAGER, Role.IMPLEMENTATION_PM):
            user = User.objects.create_user(
                email=f"{role}-{size}-{o}@bench.example", password="bench", full_name=f"{role} {o}"
            )
            Membership.objects.create(organization=org, user=user, role=role)
            people[role] = user
        organizations.append(org)
        users[org.pk] = people
    kpi_ids = dict(KpiDefinition.objects.filter(key=KPI).values_list("organization_id", "id"))

    clients = ClientOrganization.objects.bulk_create(
        (
            ClientOrganization(
                organization=org,
                name=f"Hospital {c:03d}",
                kind=ClientKind.HOSPITAL,
                time_zone="UTC",
            )
            for org in organizations
            for c in range(max(1, per_org // 10))
        ),
        batch_size=2000,
    )
    clients_of: dict[int, list] = {}
    for client in clients:
        clients_of.setdefault(client.organization_id, []).append(client)
    partnerships = Partnership.objects.bulk_create(
        (
            Partnership(
                organization=org,
                client=clients_of[org.pk][i % len(clients_of[org.pk])],
                name=f"Partnership {i:05d}",
                status=STATUSES[i % len(STATUSES)],
                contract_start=today - datetime.timedelta(days=300),
                planned_go_live=today + datetime.timedelta(days=30 - i % 200),
                actual_go_live=today - datetime.timedelta(days=120)
                if STATUSES[i % len(STATUSES)] == PartnershipStatus.LIVE
                else None,
                account_manager=users[org.pk][Role.ACCOUNT_MANAGER],
            )
            for org in organizations
            for i in range(per_org)
        ),
        batch_size=2000,
    )
    lines = ServiceLine.objects.bulk_create(
        (
            ServiceLine(
                organization_id=p.organization_id,
                partnership=p,
                kind=ServiceKind.AFTER_HOURS_TRIAGE,
                name="After-hours triage",
                monthly_volume=2000,
            )
            for p in partnerships
        ),
        batch_size=2000,
    )
    KpiBaseline.objects.bulk_create(
        (
            KpiBaseline(
                organization_id=line.organization_id,
                partnership=line.partnership,
                service_line=line,
                kpi_id=kpi_ids[line.organization_id],
                value=Decimal("6.0"),
                target=Decimal("5.0"),
                period_start=today - datetime.timedelta(days=400),
                period_end=today - datetime.timedelta(days=300),
            )
            for line in lines
        ),
        batch_size=2000,
    )
    ExperienceGoal.objects.bulk_create(
        (
            ExperienceGoal(
                organization_id=line.organization_id,
                partnership=line.partnership,
                statement="Callers rarely hang up before a nurse answers.",
                kpi_id=kpi_ids[line.organization_id],
                target=Decimal("5.0"),
                service_line=line,
            )
            for line in lines
        ),
        batch_size=2000,
    )

    # 100 days of the KPI per partnership (COPY). One in ten feeds went quiet 5 days ago
    # (the same 100 days, shifted): stale data for the live ones.
    def measurements():
        for n, line in enumerate(lines):
            quiet = 5 if n % 10 == 7 else 0  # a live one (STATUSES)
            drift = (n % 7) * 0.5  # 0 to 3 points above the baseline of 6: some worse
            for d in range(DAYS):
                day = today - datetime.timedelta(days=1 + quiet + d)
                yield {
                    "organization_id": line.organization_id,
                    "partnership_id": line.partnership_id,
                    "service_line_id": line.pk,
                    "line_key": line.pk,
                    "kpi_id": kpi_ids[line.organization_id],
                    "day": day,
                    "value": Decimal(f"{4 + drift + (d % 5) * 0.25:.3f}"),
                    "sample_size": 60,
                    "source": MeasurementSource.API,
                    "received_at": datetime.datetime.combine(
                        day + datetime.timedelta(days=1), datetime.time(6), tzinfo=datetime.UTC
                    ),
                }

    with transaction.atomic():
        measurement_rows = copy_rows(KpiMeasurement, measurements())

    plans = TransitionPlan.objects.bulk_create(
        (
            TransitionPlan(
                organization_id=p.organization_id,
                partnership=p,
                template_name="Bench",
                go_live=p.planned_go_live,
                baselined_at=now - datetime.timedelta(days=60),
            )
            for p in partnerships
        ),
        batch_size=2000,
    )
    phases = list(Phase.values)

    def tasks():
        for n, plan in enumerate(plans):
            first = today - datetime.timedelta(days=120)
            for t in range(TASKS):
                start = first + datetime.timedelta(days=t * 3)
                milestone = t % 10 == 9
                due = start if milestone else start + datetime.timedelta(days=5)
                done = due < today - datetime.timedelta(days=(n % 4) * 5)
                yield {
                    "organization_id": plan.organization_id,
                    "partnership_id": plan.partnership_id,
                    "plan_id": plan.pk,
                    "key": f"t{t:02d}",
                    "phase": phases[t * len(phases) // TASKS],
                    "title": f"Task {t}",
                    "start": start,
                    "due": due,
                    "estimate_hours": Decimal("8.0"),
                    "status": TaskStatus.DONE if done else TaskStatus.NOT_STARTED,
                    "is_milestone": milestone,
                    "baseline_start": start - datetime.timedelta(days=n % 3),
                    "baseline_due": due - datetime.timedelta(days=n % 3),
                    "completed_at": now if done else None,
                    "sort_order": t,
                }

    with transaction.atomic():
        task_rows = copy_rows(PlanTask, tasks())

    issues = Issue.objects.bulk_create(
        (
            Issue(
                organization_id=p.organization_id,
                partnership=p,
                title=f"{severity} issue",
                description="Benchmark issue.",
                severity=severity,
                status=status,
                raised_by=users[p.organization_id][Role.ACCOUNT_MANAGER],
                owner=users[p.organization_id][Role.IMPLEMENTATION_PM],
                opened_at=now - datetime.timedelta(days=days),
                resolved_at=now - datetime.timedelta(days=1)
                if status == IssueStatus.RESOLVED
                else None,
                response_minutes=DEFAULT_SLA_MINUTES[severity][0],
                resolution_minutes=DEFAULT_SLA_MINUTES[severity][1],
                paused_since=now - datetime.timedelta(days=2)
                if status == IssueStatus.WAITING_ON_CLIENT
                else None,
            )
            for p in partnerships
            for severity, status, days in ISSUES
        ),
        batch_size=2000,
    )
    audits = CallAudit.objects.bulk_create(
        (
            CallAudit(
                organization_id=p.organization_id,
                partnership=p,
                call_date=today - datetime.timedelta(days=3 + a),
                call_reference=f"CALL-{p.pk}-{a}",
                auditor=users[p.organization_id][Role.IMPLEMENTATION_PM],
                guideline_correct="yes",
                disposition_correct="yes" if a else "no",
                triage_error="none" if a else "over",
                documentation_complete="yes",
                introduction="yes",
                empathy="yes",
                plain_language="yes",
                teach_back="na",
                safety_net="yes",
                respectful_closing="yes",
            )
            for p in partnerships
            for a in range(2)
        ),
        batch_size=2000,
    )
    touchpoints = Touchpoint.objects.bulk_create(
        (
            Touchpoint(
                organization_id=p.organization_id,
                partnership=p,
                date=today - datetime.timedelta(days=5 + 20 * t + n % 30),
                kind=TouchpointKind.MEETING if t else TouchpointKind.BUSINESS_REVIEW,
                attendees="Account manager, client executive",
                recorded_by=users[p.organization_id][Role.ACCOUNT_MANAGER],
            )
            for n, p in enumerate(partnerships)
            for t in range(2)
        ),
        batch_size=2000,
    )
    follow_ups = FollowUp.objects.bulk_create(
        (
            FollowUp(
                organization_id=t.organization_id,
                partnership_id=t.partnership_id,
                touchpoint=t,
                action="Send the monthly report.",
                owner=users[t.organization_id][Role.ACCOUNT_MANAGER],
                due=t.date + datetime.timedelta(days=7),
            )
            for t in touchpoints
        ),
        batch_size=2000,
    )
    with connection.cursor() as cursor:  # as autovacuum would have by now
        cursor.execute("ANALYZE")
    return {
        "organizations": organizations,
        "users": users,
        "rows": {
            "partnerships": len(partnerships),
            "service_lines": len(lines),
            "kpi_measurements": measurement_rows,
            "plan_tasks": task_rows,
            "issues": len(issues),
            "call_audits": len(audits),
            "touchpoints": len(touchpoints),
            "follow_ups": len(follow_ups),
        },
        "seconds": round(time.perf_counter() - started, 1),
    }


# --- Measuring ---------------------------------------------------------------------------


def sweep(organizations, period: datetime.datetime, profile: cProfile.Profile | None) -> dict:
    """One scheduled sweep: per organization and chunk, the run task (as the dispatcher
    enqueues it), in this process. Wall time, queries, rows written."""
    before = HealthCheck.objects.count(), Alert.objects.count()
    connection.queries_log.clear()
    per_org = []
    started = time.perf_counter()
    if profile:
        profile.enable()
    with CaptureQueriesContext(connection) as queries:
        for org in organizations:
            mark = len(queries)
            ids = list(
                selectors.checked_partnerships(organization=org)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            for start in range(0, len(ids), CHUNK_SIZE):
                health_checks_run_task(
                    organization_id=org.pk,
                    partnership_ids=ids[start : start + CHUNK_SIZE],
                    period_start_iso=period.isoformat(),
                )
            per_org.append(len(queries) - mark)
    if profile:
        profile.disable()
    seconds = time.perf_counter() - started
    after = HealthCheck.objects.count(), Alert.objects.count()
    return {
        "seconds": round(seconds, 3),
        "queries": len(queries),
        "queries_per_org": sorted(set(per_org)),
        "rows_written": (after[0] - before[0]) + (after[1] - before[1]),
        "snapshots_written": after[0] - before[0],
        "alerts_written": after[1] - before[1],
    }


ANCHOR_TABLE = "bench_anchor_health"


def anchor(organizations, period: datetime.datetime, today: datetime.date) -> dict:
    """Per organization, one SQL aggregate (per partnership: the KPI's average over the last
    28 days, the count of open issues), a score in Python, one bulk upsert of the results."""
    open_statuses = list(selectors.OPEN_ISSUE_STATUSES)
    checked = list(selectors.CHECKED_STATUSES)
    since = today - datetime.timedelta(days=selectors.KPI_WINDOW_DAYS - 1)
    aggregate = f"""
        SELECT p.id, m.average, m.days, COALESCE(i.open, 0)
        FROM {Partnership._meta.db_table} p
        LEFT JOIN (
            SELECT partnership_id, AVG(value) AS average, COUNT(*) AS days
            FROM {KpiMeasurement._meta.db_table}
            WHERE organization_id = %s AND day >= %s
            GROUP BY partnership_id
        ) m ON m.partnership_id = p.id
        LEFT JOIN (
            SELECT partnership_id, COUNT(*) AS open
            FROM {Issue._meta.db_table}
            WHERE organization_id = %s AND status = ANY(%s)
            GROUP BY partnership_id
        ) i ON i.partnership_id = p.id
        WHERE p.organization_id = %s AND p.status = ANY(%s)
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"""CREATE TABLE IF NOT EXISTS {ANCHOR_TABLE} (
                partnership_id bigint NOT NULL, period_start timestamptz NOT NULL,
                average numeric, days integer, open_issues integer, score numeric,
                PRIMARY KEY (partnership_id, period_start))"""
        )
    started = time.perf_counter()
    written = 0
    with connection.cursor() as cursor:
        for org in organizations:
            with transaction.atomic():
                cursor.execute(aggregate, [org.pk, since, org.pk, open_statuses, org.pk, checked])
                rows = cursor.fetchall()
                values = []
                for pid, average, days, open_issues in rows:
                    score = None
                    if average is not None:
                        score = max(0.0, 100 - 10 * max(0.0, float(average) - 5)) - 5 * open_issues
                    values += [pid, period, average, days, open_issues, score]
                if rows:
                    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
                    cursor.execute(
                        f"""INSERT INTO {ANCHOR_TABLE}
                            (partnership_id, period_start, average, days, open_issues, score)
                            VALUES {placeholders}
                            ON CONFLICT (partnership_id, period_start) DO UPDATE SET
                            average = EXCLUDED.average, days = EXCLUDED.days,
                            open_issues = EXCLUDED.open_issues, score = EXCLUDED.score""",
                        values,
                    )
                    written += len(rows)
    return {"seconds": round(time.perf_counter() - started, 3), "rows_written": written}


def kpi_bulk(organization, admin: User, today: datetime.date) -> dict:
    """The feed's bulk endpoint: 10,000 new rows in one request (10 KPIs x 1,000 days), then
    the same 10,000 with new values (all updates), sent as the telephony/ACD feed sends them:
    with an API token (a signed-in person would first need a second factor)."""
    partnership = Partnership.objects.filter(
        organization=organization, status=PartnershipStatus.LIVE
    ).first()
    keys = list(
        KpiDefinition.objects.filter(organization=organization)
        .order_by("position")
        .values_list("key", flat=True)[:10]
    )
    first = today - datetime.timedelta(days=DAYS + 1000)  # before the benchmark's KPI rows
    url = reverse("api:health-kpi-measurement-bulk-list", kwargs={"org_slug": organization.slug})
    membership = Membership.objects.get(organization=organization, user=admin)
    issued = api_token_create(actor=Actor(membership=membership), name="Bench ACD feed")
    client = Client(HTTP_AUTHORIZATION=f"Token {issued.key}")
    result = {}
    for label, offset in (("create", 0), ("update", 1)):
        rows = [
            {
                "kpi": key,
                "day": (first + datetime.timedelta(days=d)).isoformat(),
                "value": (d + offset) % 90,
            }
            for d in range(1000)
            for key in keys
        ]
        body = json.dumps({"partnership": partnership.pk, "rows": rows})
        connection.queries_log.clear()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, body, content_type="application/json")
        seconds = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(
                f"KPI bulk {label}: HTTP {response.status_code} {response.content[:500]}"
            )
        result[label] = {
            "rows": len(rows),
            "seconds": round(seconds, 3),
            "queries": len(queries),
            "response": response.json(),
        }
    return result


# --- Reporting ---------------------------------------------------------------------------


def machine() -> dict:
    return bench_machine.machine()


def profile_top(profile: cProfile.Profile, limit: int = 25) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3, help="timed sweeps per size (fastest)")
    parser.add_argument("--profile", action="store_true", help="cProfile one more sweep")
    parser.add_argument("--keepdb", action="store_true", help="reuse (and keep) the database")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    sizes = sorted(args.sizes)

    setup_test_environment()
    # The upload's re-check goes to the broker (as in production), not inline.
    celery_app.conf.task_always_eager = False
    connection.settings_dict.setdefault("TEST", {})["NAME"] = DATABASE
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=args.keepdb
    )
    report = {"machine": machine(), "sizes": {}}
    try:
        for size in sizes:
            call_command("flush", interactive=False, verbosity=0)
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {ANCHOR_TABLE}")
            now = timezone.now()
            today = now.date()
            built = build(size, today, now)
            print(f"{size:>6} partnerships built in {built['seconds']} s: {built['rows']}")
            organizations = built["organizations"]
            period = period_floor(now, 60)
            first = sweep(organizations, period, None)
            # The machine may be busy with other work: repeat, keep the fastest of each.
            sweeps = [
                sweep(organizations, period + datetime.timedelta(hours=1 + n), None)
                for n in range(args.repeat)
            ]
            again = min(sweeps, key=lambda s: s["seconds"])
            again["all_seconds"] = [s["seconds"] for s in sweeps]
            anchors = [anchor(organizations, period, today) for _ in range(args.repeat)]
            anchored = min(anchors, key=lambda a: a["seconds"])
            anchored["all_seconds"] = [a["seconds"] for a in anchors]
            profile = None
            if args.profile and size == sizes[-1]:  # one more sweep, apart: cProfile slows it
                profile = cProfile.Profile()
                sweep(organizations, period + datetime.timedelta(hours=1 + args.repeat), profile)
            entry = {
                "partnerships": built["rows"]["partnerships"],
                "measurements": built["rows"]["kpi_measurements"],
                "rows": built["rows"],
                "build_seconds": built["seconds"],
                "sweep": again,
                "first_sweep": first,
                "anchor": anchored,
                "ratio": round(again["seconds"] / anchored["seconds"], 2),
                "first_sweep_ratio": round(first["seconds"] / anchored["seconds"], 2),
                "queries_per_org": again["queries_per_org"],
            }
            if size == sizes[-1]:
                admin = built["users"][organizations[0].pk][Role.ADMIN]
                entry["kpi_bulk"] = kpi_bulk(organizations[0], admin, today)
                entry["kpi_bulk_10k_seconds"] = entry["kpi_bulk"]["create"]["seconds"]
            if profile:
                entry["profile_top"] = profile_top(profile)
                print(entry["profile_top"])
            report["sizes"][str(size)] = entry
    finally:
        if not args.keepdb:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    largest = report["sizes"][str(sizes[-1])]
    report |= {
        "commit": report["machine"]["commit"],
        "date": report["machine"]["date"],
        "partnerships": largest["partnerships"],
        "measurements": largest["measurements"],
        "sweep": {k: largest["sweep"][k] for k in ("seconds", "queries", "rows_written")},
        "anchor": {"seconds": largest["anchor"]["seconds"]},
        "ratio": largest["ratio"],
        "queries_per_org": {size: e["queries_per_org"] for size, e in report["sizes"].items()},
        "kpi_bulk_10k_seconds": largest.get("kpi_bulk_10k_seconds"),
        "targets": {"ratio_at_most": 3, "kpi_bulk_10k_seconds_under": 2},
    }
    print_table(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    shown = args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output
    print(f"\nWrote {shown}")
    return 0


def print_table(report: dict) -> None:
    print()
    print(
        f"{'partnerships':>12} {'KPI rows':>10} {'sweep s':>8} {'queries':>8} {'q/org':>6} "
        f"{'written':>8} {'anchor s':>9} {'ratio':>6} {'1st sweep s':>11} {'1st ratio':>9}"
    )
    for entry in report["sizes"].values():
        sw, first = entry["sweep"], entry["first_sweep"]
        print(
            f"{entry['partnerships']:>12,} {entry['measurements']:>10,} {sw['seconds']:>8.2f} "
            f"{sw['queries']:>8} {','.join(map(str, sw['queries_per_org'])):>6} "
            f"{sw['rows_written']:>8,} {entry['anchor']['seconds']:>9.2f} {entry['ratio']:>6.2f} "
            f"{first['seconds']:>11.2f} {entry['first_sweep_ratio']:>9.2f}"
        )
    bulk = report["kpi_bulk_10k_seconds"]
    if bulk is not None:
        print(f"KPI bulk endpoint, 10,000 rows in one request: {bulk:.2f} s (target < 2 s)")
    print(f"Sweep / anchor at {report['partnerships']:,}: {report['ratio']} (target <= 3)")


if __name__ == "__main__":
    sys.exit(main())
