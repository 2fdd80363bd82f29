"""Benchmark Switchboard over real HTTP: gunicorn as in production, wrk on 127.0.0.1, and
anchors (plain Django and plain DRF views) served by the same process to measure against.

1. Builds its dataset in a PostgreSQL database of its own, `bench_http` (created fresh, dropped
   at the end unless --keepdb), through the project's own services: the demo organizations
   (`seed_demo`), then in Northstar 500 partnerships managed by the demo account manager and,
   on one of them, a transition plan of 210 tasks with finish-to-start dependencies (laid out
   from an organization template, baselined, owned, partly done).
2. Serves the app with gunicorn (sync workers, 2 x cores) on production settings
   (bench/http_settings.py: production's, on the benchmark's database, with the bench-only
   URLconf bench/http_urls.py, over plain HTTP) and static files collected as production does.
3. Signs in once as the demo account manager and sends the session cookie with every request.
4. Fetches every endpoint once over HTTP (each must answer 200) for its bytes and rows, and
   counts its SQL queries in this process (Django's test client, same settings and database).
5. Drives every endpoint and anchor with wrk (bench/wrk_report.lua) at 1 and 8 connections:
   a warm-up, then --rounds rounds of --duration seconds, each round interleaving everything.
6. Reads each gunicorn worker's resident memory after the load.
7. Writes bench/results/http.json and prints the table.

    .venv/bin/python bench/http.py [--duration 10] [--rounds 3] [--warmup 2]
                                   [--connections 1 8] [--workers N] [--keepdb]

Needs wrk (`apt-get install wrk`) and PostgreSQL: DATABASE_URL's server when it names one,
else BENCH_DATABASE_URL's, else postgres://postgres@127.0.0.1:5432/. REDIS_URL, when set, is
passed on as production has it (the cache, and what the settings keep there); without it the
cache is each process's own, as production's settings make it without Redis.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file is named http.py and Python puts its folder first on sys.path, where it would
# stand in for the standard library's `http` package: take the folder off, the project on.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import contextlib  # noqa: E402
import datetime  # noqa: E402
import http.client  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from http.cookies import SimpleCookie  # noqa: E402
from urllib.parse import quote, urlencode  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "http.json"
LUA = ROOT / "bench" / "wrk_report.lua"
STATIC_ROOT = ROOT / "var" / "bench-http-static"
SETTINGS = "bench.http_settings"

# Production's settings, read from the environment: the same values for this process and
# for gunicorn (the session is signed with the key; the static manifest lives in STATIC_ROOT).
os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
os.environ.setdefault("SECRET_KEY", "bench-http-" + secrets.token_urlsafe(40))
os.environ["STATIC_ROOT"] = str(STATIC_ROOT)
# Production runs with Redis (the cache, and the sessions read from it): so does the benchmark.
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from bench import machine as bench_machine  # noqa: E402
from config.celery import app as celery_app  # noqa: E402
from partnerships import services as partnership_services  # noqa: E402
from partnerships.models import ClientKind, Partnership, PartnershipStatus  # noqa: E402
from tenancy import generation  # noqa: E402
from tenancy.audit import Actor  # noqa: E402
from tenancy.models import Membership, Organization  # noqa: E402
from transition import services as transition_services  # noqa: E402
from transition.models import PlanTask, TaskDependency, TaskStatus, TransitionPlan  # noqa: E402
from transition.models.plan import Phase  # noqa: E402

DASHBOARD_RESULTS = ROOT / "bench" / "results" / "dashboards.json"
HISTORY_DAYS = 90

# --- The dataset --------------------------------------------------------------------------

ORG_SLUG = "northstar"  # demo/data/__init__.py
ADMIN_EMAIL = "admin@northstar.example"
MANAGER_EMAIL = "am@northstar.example"  # the demo account manager, who signs in
OWNER_EMAILS = (  # the plan's task owners: provider members of Northstar
    "pm@northstar.example",
    "am@northstar.example",
    "grace.liu@northstar.example",
    "tomas.reyes@northstar.example",
)
DEMO_PASSWORD = "switchboard-demo"  # demo/data/__init__.py, published in the README
PARTNERSHIPS = 500
CLIENTS = 50
PREFIX = "Bench partnership"
PLAN_PARTNERSHIP = f"{PREFIX} with the 210-task plan"
TEMPLATE_NAME = "Benchmark plan (210 tasks)"
# Tasks per phase, the phase's closing milestone included (the go-live phase's is the
# go-live): 210 in all.
PHASE_TASKS = (
    (Phase.DISCOVERY, 30),
    (Phase.BUILD, 70),
    (Phase.TRAINING, 40),
    (Phase.PARALLEL_RUN, 30),
    (Phase.GO_LIVE, 10),
    (Phase.HYPERCARE, 30),
)
TASKS = sum(count for _, count in PHASE_TASKS)
CHAINS = 3  # parallel workstreams per phase
STATUSES = (  # the 500 partnerships' statuses, in turn
    [PartnershipStatus.PROSPECT] * 2
    + [PartnershipStatus.DISCOVERY] * 2
    + [PartnershipStatus.TRANSITION] * 2
    + [PartnershipStatus.LIVE] * 4
)
WORK = (
    "Confirm the scope with the client",
    "Draft the workstream's checklist",
    "Review the current configuration",
    "Build and test the changes",
    "Walk the client's lead through the result",
    "Record the decisions and open questions",
    "Sign off the deliverable",
)


def actor(membership: Membership) -> Actor:
    """The actor a request would build (tests/conftest.py `actor_for`)."""
    return Actor(membership=membership, ip_address="127.0.0.1", user_agent="bench/http.py")


def plan_template() -> list[dict]:
    """TASKS tasks in the template format (transition/templates_default.py): per phase,
    CHAINS parallel workstreams of finish-to-start tasks (some with a lag, some also waiting
    on the neighbouring workstream) closed by a milestone; each phase starts after the
    previous one's milestone. Offsets are the earliest schedule, go-live at 0 (no conflicts)."""
    tasks: list[dict] = []
    start: dict[str, int] = {}  # earliest start, days from the first task
    length: dict[str, int] = {}
    gate = None
    for phase, count in PHASE_TASKS:
        label = Phase(phase).label
        chains: list[list[str]] = [[] for _ in range(CHAINS)]
        for j in range(count - 1):
            chain = chains[j % CHAINS]
            key = f"{phase.replace('_', '-')}-{j:02d}"
            duration = j % 5 + 1
            links = []
            if chain:
                links.append({"key": chain[-1], "lag": 1 if j % 7 == 3 else 0})
                neighbour = chains[(j + 1) % CHAINS]
                if j % 4 == 0 and neighbour:
                    links.append({"key": neighbour[-1], "lag": 0})
            elif gate:
                links.append({"key": gate, "lag": 0})
            tasks.append(
                {
                    "key": key,
                    "phase": str(phase),
                    "title": (
                        f"{label}, workstream {j % CHAINS + 1}: {WORK[j % len(WORK)]} "
                        f"(step {len(chain) + 1})"
                    ),
                    "duration": duration,
                    "estimate": duration * 4,
                    "depends_on": links,
                }
            )
            chain.append(key)
        closing = f"{phase.replace('_', '-')}-done"
        is_go_live = phase == Phase.GO_LIVE
        tasks.append(
            {
                "key": closing,
                "phase": str(phase),
                "title": "Go-live: telephony cut-over" if is_go_live else f"{label} complete",
                "duration": 0,
                "milestone": True,
                "go_live": is_go_live,
                "depends_on": [{"key": chain[-1], "lag": 0} for chain in chains if chain],
            }
        )
        gate = closing
    for task in tasks:  # dependencies always name earlier tasks: one pass
        start[task["key"]] = max(
            (start[link["key"]] + length[link["key"]] + link["lag"] for link in task["depends_on"]),
            default=0,
        )
        length[task["key"]] = task["duration"]
    go_live = next(start[t["key"]] for t in tasks if t.get("go_live"))
    for task in tasks:
        task["offset"] = start[task["key"]] - go_live
    assert len(tasks) == TASKS
    return tasks


def build() -> dict:
    """The demo organizations, then PARTNERSHIPS partnerships and a plan of TASKS tasks in
    Northstar, all through the services. Returns what the endpoints need."""
    started = time.perf_counter()
    # The demo data refuses DEBUG off unless forced: this database is thrown away.
    call_command("seed_demo", force=True, verbosity=0, stdout=io.StringIO())
    seeded = time.perf_counter() - started
    organization = Organization.objects.get(slug=ORG_SLUG)
    members = {
        m.user.email: m
        for m in Membership.objects.filter(organization=organization).select_related("user")
    }
    admin, manager = actor(members[ADMIN_EMAIL]), actor(members[MANAGER_EMAIL])
    pm = members["pm@northstar.example"].user
    today = timezone.localdate()

    clients = [
        partnership_services.client_create(
            actor=admin,
            name=f"Bench hospital {c:03d}",
            kind=ClientKind.HOSPITAL,
            city="Springfield",
            state="IL",
            time_zone="America/Chicago",
        )
        for c in range(CLIENTS)
    ]
    partnerships = []
    for i in range(PARTNERSHIPS):
        status = STATUSES[i % len(STATUSES)]
        contract_start = today - datetime.timedelta(days=200 + i % 300)
        partnerships.append(
            partnership_services.partnership_create(
                actor=admin,
                implementation_pms=[pm] if i % 2 == 0 else [],
                client=clients[i % CLIENTS],
                name=PLAN_PARTNERSHIP if i == 0 else f"{PREFIX} {i:04d}",
                status=PartnershipStatus.TRANSITION if i == 0 else status,
                contract_start=contract_start,
                planned_go_live=today + datetime.timedelta(days=60 if i == 0 else i % 240 - 60),
                actual_go_live=(
                    today - datetime.timedelta(days=30)
                    if status == PartnershipStatus.LIVE and i
                    else None
                ),
                account_manager=manager.user,
                description="A partnership of the HTTP benchmark.",
            )
        )
    made_partnerships = time.perf_counter() - started

    partnership = partnerships[0]
    template = transition_services.plan_template_create(
        actor=admin, name=TEMPLATE_NAME, tasks=plan_template()
    )
    plan = transition_services.plan_create(
        actor=manager, partnership=partnership, template=template
    )
    plan = transition_services.plan_baseline(actor=manager, plan=plan)
    tasks = list(PlanTask.objects.filter(plan=plan).order_by("sort_order"))
    owners = [members[email].user for email in OWNER_EMAILS]
    for n, task in enumerate(tasks):
        transition_services.task_update(actor=manager, task=task, owner=owners[n % len(owners)])
    # Some slip against the baseline: a few tasks start later, moving their dependants.
    for task in tasks[5:80:15]:
        task.refresh_from_db()
        transition_services.task_move(
            actor=manager,
            task=task,
            start=task.start + datetime.timedelta(days=3),
            auto_schedule=True,
        )
    tasks = list(PlanTask.objects.filter(plan=plan).order_by("sort_order"))
    done = [t for t in tasks if t.due < today - datetime.timedelta(days=7)]
    doing = [t for t in tasks if t.start <= today <= t.due and t not in done]
    for batch in (done[i : i + 200] for i in range(0, len(done), 200)):
        transition_services.task_bulk_status(actor=manager, tasks=batch, status=TaskStatus.DONE)
    if doing:
        transition_services.task_bulk_status(
            actor=manager, tasks=doing[:200], status=TaskStatus.IN_PROGRESS
        )
    with connection.cursor() as cursor:  # as autovacuum would have by now
        cursor.execute("ANALYZE")
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "seed_demo_seconds": round(seeded, 1),
        "partnerships_seconds": round(made_partnerships - seeded, 1),
        "plan_seconds": round(time.perf_counter() - started - made_partnerships, 1),
        "tasks_done": len(done),
        "tasks_in_progress": len(doing[:200]),
    }


def dataset() -> dict:
    """Ids and counts of what was built (or found, with --keepdb)."""
    organization = Organization.objects.get(slug=ORG_SLUG)
    manager = User.objects.get(email=MANAGER_EMAIL)
    partnership = Partnership.objects.get(organization=organization, name=PLAN_PARTNERSHIP)
    plan = TransitionPlan.objects.get(partnership=partnership)
    portfolio = Partnership.objects.filter(
        organization=organization,
        account_manager=manager,
        status__in=[
            PartnershipStatus.DISCOVERY,
            PartnershipStatus.TRANSITION,
            PartnershipStatus.LIVE,
        ],
    )
    return {
        "organization": organization,
        "partnership": partnership,
        "plan": plan,
        "counts": {
            "portfolio_rows": portfolio.count(),
            "bench_partnerships": Partnership.objects.filter(
                organization=organization, name__startswith=PREFIX, account_manager=manager
            ).count(),
            "partnerships_in_organization": Partnership.objects.filter(
                organization=organization
            ).count(),
            "plan_tasks": PlanTask.objects.filter(plan=plan).count(),
            "plan_dependencies": TaskDependency.objects.filter(partnership=partnership).count(),
        },
    }


def build_history() -> dict:
    """The dashboards suite's history: for every partnership of the demo account manager's
    portfolio (discovery, transition, live), a daily health check for HISTORY_DAYS days, two
    KPIs a day for the live ones, an issue for one in three, a touchpoint each; then a health
    sweep through the service, as beat would run it, for today's snapshot. Bulk-written
    (derived history, not what the services validate)."""
    from discovery.models import KpiDefinition
    from health.models import HealthCheck, Issue, KpiMeasurement, Touchpoint
    from health.portfolio_selectors import DAILY_CHECK_HOUR
    from health.services.checks import checks_run

    started = time.perf_counter()
    organization = Organization.objects.get(slug=ORG_SLUG)
    manager = User.objects.get(email=MANAGER_EMAIL)
    portfolio = list(
        Partnership.objects.filter(
            organization=organization,
            account_manager=manager,
            status__in=[
                PartnershipStatus.DISCOVERY,
                PartnershipStatus.TRANSITION,
                PartnershipStatus.LIVE,
            ],
        ).order_by("pk")
    )
    kpis = list(
        KpiDefinition.objects.filter(
            organization=organization, key__in=["average_speed_of_answer", "abandonment_rate"]
        )
    )
    now = timezone.now()
    today = timezone.localdate()
    checks, measurements, issues, touchpoints = [], [], [], []
    for n, p in enumerate(portfolio):
        for day in range(HISTORY_DAYS, 0, -1):
            score = 40 + (n * 7 + day * 3) % 55
            band = "red" if score < 50 else "green" if score >= 75 else "amber"
            checks.append(
                HealthCheck(
                    organization=organization,
                    partnership=p,
                    period_start=(now - datetime.timedelta(days=day)).replace(
                        hour=DAILY_CHECK_HOUR, minute=0, second=0, microsecond=0
                    ),
                    phase=p.status,
                    score=score,
                    band=band,
                    trend="steady",
                    trigger="schedule",
                )
            )
            if p.status == PartnershipStatus.LIVE:
                for k, kpi in enumerate(kpis):
                    measurements.append(
                        KpiMeasurement(
                            organization=organization,
                            partnership=p,
                            kpi=kpi,
                            line_key=0,
                            day=today - datetime.timedelta(days=day - 1),
                            value=20 + (n + day + k) % 30 if k == 0 else 3 + (n + day) % 6,
                            source="api",
                            received_at=now - datetime.timedelta(days=day - 1),
                        )
                    )
        if n % 3 == 0:
            issues.append(
                Issue(
                    organization=organization,
                    partnership=p,
                    title=f"Callbacks late on line {n}",
                    severity=("critical", "high", "medium", "low")[n % 4],
                    raised_by=manager,
                    opened_at=now - datetime.timedelta(hours=6 + n % 100),
                    response_minutes=60,
                    resolution_minutes=24 * 60,
                )
            )
        touchpoints.append(
            Touchpoint(
                organization=organization,
                partnership=p,
                date=today - datetime.timedelta(days=n % 45),
                kind="call",
                attendees="The client's CNO",
                recorded_by=manager,
            )
        )
    for model, rows in (
        (HealthCheck, checks),
        (KpiMeasurement, measurements),
        (Issue, issues),
        (Touchpoint, touchpoints),
    ):
        # The demo partnerships already have two weeks of checks (seed_demo): those days keep
        # theirs.
        model.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=model is HealthCheck)
    swept = checks_run(organization=organization)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "portfolio_partnerships": len(portfolio),
        "health_checks": len(checks) + swept.checked,
        "kpi_measurements": len(measurements),
        "issues": len(issues),
        "touchpoints": len(touchpoints),
        "alerts": len(swept.alerts),
    }


def history_built() -> bool:
    from health.models import HealthCheck

    return HealthCheck.objects.filter(organization__slug=ORG_SLUG).count() > HISTORY_DAYS * 100


def built_already() -> bool:
    return (
        Partnership.objects.filter(organization__slug=ORG_SLUG, name__startswith=PREFIX).count()
        == PARTNERSHIPS
        and TransitionPlan.objects.filter(partnership__name=PLAN_PARTNERSHIP).exists()
    )


# --- Serving ------------------------------------------------------------------------------

BENCH_APP_ROLE = "switchboard_bench_app"


def application_role(db: dict) -> str:
    """gunicorn connects as production's application role does: not the owner, not a
    superuser, held by row-level security (tenancy/rls.py), with the rights `migrate` grants.
    A fresh password each run, so that password authentication works too."""
    from tenancy import rls

    password = secrets.token_urlsafe(24)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DO $$ BEGIN CREATE ROLE {BENCH_APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS;"
            " EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
        cursor.execute(f"ALTER ROLE {BENCH_APP_ROLE} LOGIN PASSWORD %s", [password])
        rls.grant(cursor, connection, BENCH_APP_ROLE)
    os.environ["BENCH_HTTP_DATABASE_URL"] = (
        f"postgres://{BENCH_APP_ROLE}:{quote(password, safe='')}@{db['HOST']}:{db['PORT']}"
        f"/{db['NAME']}"
    )
    return BENCH_APP_ROLE


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        SECRET_KEY=os.environ["SECRET_KEY"],
        STATIC_ROOT=str(STATIC_ROOT),
        BENCH_HTTP_DATABASE_URL=os.environ["BENCH_HTTP_DATABASE_URL"],
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    def workers(self) -> list[int]:
        pid = self.process.pid
        try:
            text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
            return sorted(int(p) for p in text.split())
        except OSError:  # no children file: scan /proc for the master's children
            children = []
            for stat in Path("/proc").glob("[0-9]*/stat"):
                with contextlib.suppress(OSError):
                    fields = stat.read_text().rsplit(")", 1)[1].split()
                    if int(fields[1]) == pid:
                        children.append(int(stat.parent.name))
            return sorted(children)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.unlink(missing_ok=True)


def serve(workers: int) -> Server:
    """gunicorn as the Dockerfile runs it (config.wsgi, sync workers), access log off."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="bench-http-gunicorn-", suffix=".log")[1])
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        f"--chdir={ROOT}",
        f"--error-logfile={log}",
        "--log-level=warning",
        "--no-control-socket",  # gunicorn 27's control socket would be shared with others
    ]
    process = subprocess.Popen(command, env=server_env(), cwd=ROOT, start_new_session=True)
    server = Server(process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            status, _, _ = fetch(port, "/healthz")
            if status == 200 and len(server.workers()) == workers:
                return server
        time.sleep(0.2)
    server.stop()
    raise SystemExit(f"gunicorn did not answer /healthz in 60 s:\n{log.read_text()[-3000:]}")


def fetch(
    port: int, path: str, *, method: str = "GET", headers=None, body: bytes | None = None
) -> tuple[int, dict[str, list[str]], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        found: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            found.setdefault(name.lower(), []).append(value)
        return response.status, found, data
    finally:
        conn.close()


def sign_in(port: int) -> dict[str, str]:
    """POST /login/ as the demo account manager, with the CSRF token: the cookies to send."""
    path = reverse("accounts:login")
    status, headers, body = fetch(port, path)
    if status != 200:
        raise SystemExit(f"GET {path}: HTTP {status}")
    cookies = SimpleCookie()
    for value in headers.get("set-cookie", []):
        cookies.load(value)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if token is None or settings.CSRF_COOKIE_NAME not in cookies:
        raise SystemExit(f"GET {path}: no CSRF token in the sign-in page")
    form = urlencode(
        {
            "username": MANAGER_EMAIL,
            "password": DEMO_PASSWORD,
            "csrfmiddlewaretoken": token.group(1).decode(),
        }
    ).encode()
    status, headers, body = fetch(
        port,
        path,
        method="POST",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"{settings.CSRF_COOKIE_NAME}={cookies[settings.CSRF_COOKIE_NAME].value}",
            "Referer": f"http://127.0.0.1:{port}{path}",
        },
    )
    for value in headers.get("set-cookie", []):
        cookies.load(value)
    if status != 302 or settings.SESSION_COOKIE_NAME not in cookies:
        raise SystemExit(f"POST {path} as {MANAGER_EMAIL}: HTTP {status}, not signed in")
    return {name: morsel.value for name, morsel in cookies.items()}


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


# --- What is measured ---------------------------------------------------------------------


@dataclass
class Target:
    name: str  # short key
    label: str
    path: str
    rows: int  # rows the request asks for
    anchor: str | None = None  # the list anchor its cost per row is compared with
    kind: str = "json"  # json | list-page | plan-page
    is_anchor: bool = False


def targets(data: dict, *, list_query: str) -> list[Target]:
    slug = data["organization"].slug
    org_id = data["organization"].pk
    ppk = data["partnership"].pk
    api = reverse("api:partnership-list", kwargs={"org_slug": slug})
    return [
        Target(
            "api_200", "partnerships API, page_size=200", f"{api}?page_size=200", 200, "drf_500"
        ),
        Target("api_50", "partnerships API, default page", api, 50, "drf_500"),
        Target(
            "list_page_100",
            "partnership list page, 100 rows",
            f"{reverse('partnerships:list', kwargs={'org_slug': slug})}?{list_query}",
            100,
            "template_500",
            kind="list-page",
        ),
        Target(
            "plan_page",
            f"transition plan page, {TASKS} tasks",
            reverse("transition:plan", kwargs={"org_slug": slug, "partnership_pk": ppk}),
            TASKS,
            "template_500",
            kind="plan-page",
        ),
        Target(
            "gantt",
            f"Gantt data API, {TASKS} tasks",
            reverse("api:transition-plan-gantt", kwargs={"org_slug": slug, "partnership_pk": ppk}),
            TASKS,
            "drf_500",
        ),
        Target("me", "/api/v1/me/", reverse("api:me"), 1),
        Target("bare", "anchor: bare JSON", reverse("bench-bare"), 0, is_anchor=True),
        Target(
            "one_query",
            "anchor: one indexed query",
            reverse("bench-one-query", kwargs={"pk": ppk}),
            1,
            is_anchor=True,
        ),
        Target(
            "template_500",
            "anchor: template page, 500 rows",
            reverse("bench-template-500", kwargs={"organization_id": org_id}),
            500,
            kind="list-page-anchor",
            is_anchor=True,
        ),
        Target(
            "drf_500",
            "anchor: DRF ModelSerializer list, 500 rows",
            reverse("bench-drf-500", kwargs={"organization_id": org_id}),
            500,
            is_anchor=True,
        ),
    ]


def dashboard_targets(data: dict) -> list[Target]:
    """The portfolio page and its API twin (every partnership of the account manager's
    portfolio), and the same anchors as the HTTP suite."""
    slug = data["organization"].slug
    rows = data["counts"]["portfolio_rows"]
    return [
        Target(
            "portfolio_page",
            f"portfolio page, {rows} partnerships",
            reverse("dashboards:portfolio", kwargs={"org_slug": slug}),
            rows,
            "template_500",
            kind="portfolio-page",
        ),
        Target(
            "portfolio_api",
            f"portfolio API, {rows} partnerships",
            reverse("api:dashboards-portfolio-list", kwargs={"org_slug": slug}),
            rows,
            "drf_500",
        ),
        *(t for t in targets(data, list_query="") if t.is_anchor),
    ]


def count_rows(target: Target, body: bytes, slug: str) -> int | None:
    """The rows the response holds, read from what gunicorn served (None: not countable)."""
    text = body.decode("utf-8", "replace")
    if target.kind == "list-page":  # one link to each partnership's page
        return len(set(re.findall(rf'href="/o/{re.escape(slug)}/(\d+)/"', text))) or None
    if target.kind == "plan-page":  # one link to each task's page
        return len(set(re.findall(r'href="[^"]*/transition/tasks/(\d+)/"', text))) or None
    if target.kind == "list-page-anchor":
        return text.count("<tr><td>") or None
    if target.kind == "portfolio-page":  # one "why" link per row
        return text.count('class="why-link"') or None
    data = json.loads(text)
    if isinstance(data, list):
        return len(data)
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return len(data["results"])
    if isinstance(data, dict) and isinstance(data.get("tasks"), list):
        return len(data["tasks"])
    return 1 if target.name in ("me", "one_query") else 0


def count_queries(path: str, session: dict[str, str], *, after_write: bool = False) -> int:
    """SQL queries of one request in this process (the test client, same settings and
    database, same session), after one request to warm it up. `after_write`: as the first
    request after a write, when nothing the page remembers (tenancy/generation.py) holds."""
    client = Client()
    for name, value in session.items():
        client.cookies[name] = value
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"in-process GET {path}: HTTP {response.status_code}")
    connection.queries_log.clear()
    if after_write:
        generation.bump()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"in-process GET {path}: HTTP {response.status_code}")
    return len(queries)


def after_a_write(path: str, session: dict[str, str], times: int = 15) -> dict:
    """What a request costs when the data has just changed (the page computes everything
    again rather than reading what it remembered): the median of `times` requests in this
    process, each after a new data generation, and its SQL queries."""
    client = Client()
    for name, value in session.items():
        client.cookies[name] = value
    client.get(path)
    timings = []
    for _ in range(times):
        generation.bump()
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"in-process GET {path}: HTTP {response.status_code}")
    return {
        "p50_ms_in_process": round(statistics.median(timings), 2),
        "queries": count_queries(path, session, after_write=True),
        "requests": times,
    }


def wrk(port: int, target: Target, connections: int, seconds: float, cookie: str) -> dict:
    command = [
        shutil.which("wrk") or "wrk",
        f"--threads={min(2, connections)}",
        f"--connections={connections}",
        f"--duration={seconds:g}s",
        "--timeout=30s",  # a timed-out request would be left out of the latencies
        f"--script={LUA}",
        f"--header=Cookie: {cookie}",
        f"http://127.0.0.1:{port}{target.path}",
    ]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((ln for ln in run.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if run.returncode != 0 or line is None:
        raise SystemExit(
            f"wrk failed ({run.returncode}) on {target.path}:\n{run.stdout}{run.stderr}"
        )
    raw = json.loads(line.removeprefix("WRK_JSON "))
    errors = raw["errors"]
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / raw["duration_s"], 1),
        "p50_ms": round(raw["latency_ms"]["p50"], 2),
        "p90_ms": round(raw["latency_ms"]["p90"], 2),
        "p99_ms": round(raw["latency_ms"]["p99"], 2),
        "bytes": raw["bytes"],
        "errors": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        "non_2xx": errors["non_2xx"],
    }


def rss_mb(pids: list[int]) -> list[float]:
    sizes = []
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(round(int(line.split()[1]) / 1024, 1))
    return sizes


# --- Reporting ----------------------------------------------------------------------------


def wrk_version() -> str:
    run = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return (run.stdout or run.stderr).splitlines()[0].split(" Copyright")[0].strip()


def machine() -> dict:
    import gunicorn

    return bench_machine.machine(gunicorn=gunicorn.__version__, wrk=wrk_version())


def summarize(runs: list[dict]) -> dict:
    return {
        "rounds": runs,
        "rps_median": round(statistics.median(r["rps"] for r in runs), 1),
        "p50_ms_median": round(statistics.median(r["p50_ms"] for r in runs), 2),
        "p99_ms_median": round(statistics.median(r["p99_ms"] for r in runs), 2),
        "errors": sum(r["errors"] + r["non_2xx"] for r in runs),
    }


# The issue's targets: (endpoint, what is compared, limit).
RATIO_TARGETS = {
    "api_200": 0.67,  # at least 1.5x as fast per row as plain DRF
    "gantt": 1.0,
    "list_page_100": 1.0,
    "plan_page": 1.0,
}
ME_SHARE_TARGET = 0.70


DASHBOARD_RATIO_TARGETS = {
    "portfolio_page": 1.0,  # the full portfolio at least as fast per row as a plain page
    "portfolio_api": 0.67,  # its API twin at least 1.5x as fast per row as plain DRF
}


def derive(
    report: dict, low: int, high: int, ratio_targets: dict | None = None, me: bool = True
) -> None:
    """Cost per row, ratios against the anchors, the targets."""
    ratio_targets = RATIO_TARGETS if ratio_targets is None else ratio_targets
    entries = {**report["endpoints"], **report["anchors"]}

    def p50(name: str) -> float:
        return entries[name]["connections"][str(low)]["p50_ms_median"]

    def rps(name: str) -> float:
        return entries[name]["connections"][str(high)]["rps_median"]

    bare = p50("bare")
    per_row, ratios = {}, {}
    for name, entry in entries.items():
        if name in ("bare", "one_query", "me") or not entry["rows"]:
            continue
        per_row[name] = round((p50(name) - bare) / entry["rows"], 4)
        entry["ms_per_row"] = per_row[name]
    for name, entry in report["endpoints"].items():
        anchor = entry.get("anchor")
        if anchor and per_row.get(anchor, 0) > 0:
            ratios[name] = round(per_row[name] / per_row[anchor], 2)
            entry["ratio_per_row"] = ratios[name]
    me_share = None
    if me:
        me_share = round(rps("me") / rps("one_query"), 2) if rps("one_query") else None
        report["endpoints"]["me"]["rps_share_of_one_query"] = me_share
    report["derived"] = {
        "bare_p50_ms": bare,
        "ms_per_row": per_row,
        "ratio_per_row": ratios,
        "me_rps_share_of_one_query": me_share,
        "definition": (
            f"ms_per_row = (median p50 at {low} connection(s) - the bare anchor's) / rows; "
            "ratio_per_row = an endpoint's ms_per_row / its anchor's; "
            f"me share = /api/v1/me/ req/s at {high} connections / the one-query anchor's"
        ),
    }
    checks = []
    for name, limit in ratio_targets.items():
        entry = report["endpoints"][name]
        measured = ratios.get(name)
        checks.append(
            {
                "endpoint": name,
                "target": f"cost per row at most {limit}x {entry['anchor']}'s",
                "measured": measured,
                "limit": limit,
                "pass": measured is not None and measured <= limit,
            }
        )
    if me:
        checks.append(
            {
                "endpoint": "me",
                "target": (
                    f"req/s at {high} connections at least {ME_SHARE_TARGET:.0%} of one_query's"
                ),
                "measured": me_share,
                "limit": ME_SHARE_TARGET,
                "pass": me_share is not None and me_share >= ME_SHARE_TARGET,
            }
        )
    flat = report["queries_flat"]
    checks.append(
        {
            "endpoint": ", ".join(flat),
            "target": "query counts flat in the number of rows",
            "measured": flat,
            "limit": None,
            "pass": all(a == b for a, b in flat.values()),
        }
    )
    report["targets"] = checks


def print_table(report: dict, low: int, high: int) -> None:
    by_endpoint = {}
    for check in report["targets"]:
        by_endpoint[check["endpoint"]] = check
    header = (
        f"{'endpoint':<42} {'rows':>5} {f'p50@{low} ms':>10} {f'req/s@{high}':>10} "
        f"{'queries':>7} {'bytes':>9} {'ms/row':>8} {'ratio':>6} {'target':>8} {'pass':>5}"
    )
    print()
    print(header)
    print("-" * len(header))
    for group in ("endpoints", "anchors"):
        for name, entry in report[group].items():
            check = by_endpoint.get(name)
            ratio = entry.get("ratio_per_row")
            if name == "me":
                ratio = entry.get("rps_share_of_one_query")
            target = ""
            if check:
                target = f"{'>=' if name == 'me' else '<='}{check['limit']}"
            per_row = entry.get("ms_per_row")
            print(
                f"{entry['label']:<42} {entry['rows']:>5} "
                f"{entry['connections'][str(low)]['p50_ms_median']:>10.2f} "
                f"{entry['connections'][str(high)]['rps_median']:>10.1f} "
                f"{entry['queries']:>7} {entry['bytes']:>9,} "
                f"{'' if per_row is None else f'{per_row:.4f}':>8} "
                f"{'' if ratio is None else f'{ratio:.2f}':>6} {target:>8} "
                f"{'' if not check else ('yes' if check['pass'] else 'NO'):>5}"
            )
    flat = report["targets"][-1]
    print(
        f"query counts flat in rows: {'yes' if flat['pass'] else 'NO'} "
        f"({', '.join(f'{k}: {a} vs {b}' for k, (a, b) in flat['measured'].items())})"
    )
    for entry in report["endpoints"].values():
        if fresh := entry.get("after_a_write"):
            print(
                f"{entry['label']}, just after a write (in process, computed afresh): "
                f"{fresh['p50_ms_in_process']:.1f} ms, {fresh['queries']} queries"
            )
    print(f"gunicorn workers' RSS after the load (MB): {report['worker_rss_mb']}")
    errors = {
        name: entry["errors"]
        for group in ("endpoints", "anchors")
        for name, entry in report[group].items()
        if entry["errors"]
    }
    if errors:
        print(f"ERRORS or non-2xx responses during the load: {errors}")


# --- Main ---------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per run (10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every run (3)")
    parser.add_argument("--warmup", type=float, default=2, help="warm-up seconds per URL (2)")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8])
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers"
    )
    parser.add_argument(
        "--list-query",
        default="page_size=100",
        help="query string of the list page at 100 rows (page_size=100)",
    )
    parser.add_argument("--keepdb", action="store_true", help="reuse (and keep) the database")
    parser.add_argument(
        "--as-owner",
        action="store_true",
        help="serve as the database's owner (row-level security not applied), not as the "
        f"application role {BENCH_APP_ROLE} that production's DATABASE_URL names",
    )
    parser.add_argument(
        "--suite",
        choices=["http", "dashboards"],
        default="http",
        help="http: the lists, the plan, the Gantt, /me/ (bench/results/http.json); dashboards: "
        f"the portfolio page and API with {HISTORY_DAYS} days of history "
        "(bench/results/dashboards.json)",
    )
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    dashboards = args.suite == "dashboards"
    if args.output is None:
        args.output = DASHBOARD_RESULTS if dashboards else RESULTS
    connections = sorted(set(args.connections))
    low, high = connections[0], connections[-1]
    if shutil.which("wrk") is None:
        raise SystemExit("bench/http.py needs wrk: apt-get install wrk (Debian, Ubuntu)")
    try:
        import redis

        redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=2).ping()
    except Exception as error:  # any failure to reach it says the same
        raise SystemExit(
            f"bench/http.py needs Redis at REDIS_URL ({os.environ['REDIS_URL']}): {error}"
        ) from None

    setup_test_environment()  # e-mail to memory; the test client's host allowed
    celery_app.conf.task_always_eager = True  # what the build enqueues runs here, on this DB
    logging.getLogger("celery").setLevel(logging.WARNING)  # not a line per task run
    logging.getLogger("kombu").setLevel(logging.ERROR)  # no broker is used: eager
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    os.environ["BENCH_HTTP_DATABASE_URL"] = (
        f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )
    db.setdefault("TEST", {})["NAME"] = db["NAME"]
    started = time.perf_counter()
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=args.keepdb
    )
    migrate_seconds = time.perf_counter() - started
    server = None
    try:
        if args.keepdb and built_already():
            built = {"seconds": 0.0, "reused": True}
            print("Dataset found in the kept database: not built again.")
        else:
            built = build()
            print(
                f"Dataset built in {built['seconds']} s (seed_demo {built['seed_demo_seconds']} s,"
                f" {PARTNERSHIPS} partnerships {built['partnerships_seconds']} s, plan of "
                f"{TASKS} tasks {built['plan_seconds']} s); migrations {migrate_seconds:.1f} s"
            )
        if dashboards:
            if args.keepdb and history_built():
                built["history"] = {"reused": True}
            else:
                built["history"] = build_history()
                print(f"History built: {built['history']}")
        data = dataset()
        if data["counts"]["plan_tasks"] != TASKS:
            raise SystemExit(f"The plan has {data['counts']['plan_tasks']} tasks, not {TASKS}")
        call_command("collectstatic", interactive=False, clear=True, verbosity=0)
        report = {"machine": machine()}
        database_role = db["USER"] if args.as_owner else application_role(db)
        connection.close()
        server = serve(args.workers)
        session = sign_in(server.port)
        cookie = cookie_header(session)
        plan = dashboard_targets(data) if dashboards else targets(data, list_query=args.list_query)
        slug = data["organization"].slug

        # Once each over HTTP (200 or stop), then the queries in this process.
        entries: dict[str, dict] = {}
        for target in plan:
            status, headers, body = fetch(server.port, target.path, headers={"Cookie": cookie})
            if status != 200:
                raise SystemExit(
                    f"GET {target.path}: HTTP {status} {headers.get('location', [''])[0]}\n"
                    f"{body[:500]!r}\n{server.log.read_text()[-3000:]}"
                )
            rows = count_rows(target, body, slug)
            if rows is None:
                print(f"warning: could not count the rows of {target.path}; taking {target.rows}")
                rows = target.rows
            if rows != target.rows:
                print(
                    f"warning: {target.path} answered {rows} rows, not the {target.rows} asked "
                    "for; the cost per row uses the rows answered"
                )
            entries[target.name] = {
                "label": target.label,
                "url": target.path,
                "rows": rows,
                "rows_asked": target.rows,
                "bytes": len(body),
                "queries": count_queries(target.path, session),
                **({"anchor": target.anchor} if target.anchor else {}),
                "connections": {},
            }
        if dashboards:
            # The live partnerships alone (every kind of row the page reads) against all.
            portfolio = entries["portfolio_page"]["url"]
            api = entries["portfolio_api"]["url"]
            # Served over HTTP, a page is read mostly from what it remembers between writes;
            # what it costs to compute, just after a write, is measured here in this process.
            for name in ("portfolio_page", "portfolio_api"):
                entries[name]["after_a_write"] = after_a_write(entries[name]["url"], session)
            # Computed afresh: the live partnerships alone (every kind of row the page reads)
            # against all.
            queries_flat = {
                "portfolio page, live only vs all, after a write": [
                    count_queries(f"{portfolio}?status=live", session, after_write=True),
                    entries["portfolio_page"]["after_a_write"]["queries"],
                ],
                "portfolio API, live only vs all, after a write": [
                    count_queries(f"{api}?status=live", session, after_write=True),
                    entries["portfolio_api"]["after_a_write"]["queries"],
                ],
            }
        else:
            page = reverse("partnerships:list", kwargs={"org_slug": slug})
            queries_flat = {
                "api 50 vs 200 rows": [
                    entries["api_50"]["queries"],
                    entries["api_200"]["queries"],
                ],
                "list page 25 vs 100 rows": [
                    count_queries(page, session),
                    entries["list_page_100"]["queries"],
                ],
            }
        connection.close()

        # Warm-up, then the rounds, every endpoint and anchor interleaved in each round.
        print(
            f"Load: wrk at {connections} connection(s), {args.rounds} round(s) of "
            f"{args.duration:g} s after {args.warmup:g} s of warm-up per URL, "
            f"{len(plan)} URLs: about "
            f"{len(plan) * (args.warmup + len(connections) * args.rounds * args.duration) / 60:.0f}"
            " min"
        )
        if args.warmup > 0:
            for target in plan:
                wrk(server.port, target, high, args.warmup, cookie)
        runs: dict[tuple[str, int], list[dict]] = {}
        for number in range(args.rounds):
            for target in plan:
                for c in connections:
                    result = wrk(server.port, target, c, args.duration, cookie)
                    runs.setdefault((target.name, c), []).append(result)
            print(f"  round {number + 1} of {args.rounds} done")
        workers = server.workers()
        rss = rss_mb(workers)
        server.stop()
        server = None
        report["machine"]["load_average_after_1_5_15"] = [round(x, 2) for x in os.getloadavg()]

        for (name, c), results in runs.items():
            entries[name]["connections"][str(c)] = summarize(results)
        for entry in entries.values():
            entry["errors"] = sum(v["errors"] for v in entry["connections"].values())
        report |= {
            "commit": report["machine"]["commit"],
            "date": report["machine"]["date"],
            "settings": {
                "duration_s": args.duration,
                "rounds": args.rounds,
                "warmup_s": args.warmup,
                "connections": connections,
                "wrk_threads": "min(2, connections)",
                "load_generator": report["machine"]["wrk"],
                "server": f"gunicorn config.wsgi, {args.workers} sync workers, access log off",
                "settings_module": SETTINGS,
                "debug": settings.DEBUG,
                "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
                "session_engine": settings.SESSION_ENGINE.rsplit(".", 1)[-1],
                "redis": bool(os.environ.get("REDIS_URL")),
                "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
                "database": settings.DATABASES["default"]["NAME"],
                # As production connects: a role that row-level security holds (tenancy/rls.py)
                "database_role": database_role,
                "signed_in_as": MANAGER_EMAIL,
                "list_page_query": args.list_query,
            },
            "dataset": {
                **data["counts"],
                "organization": ORG_SLUG,
                "build": built,
                "migrate_seconds": round(migrate_seconds, 1),
            },
            "endpoints": {t.name: entries[t.name] for t in plan if not t.is_anchor},
            "anchors": {t.name: entries[t.name] for t in plan if t.is_anchor},
            "queries_flat": queries_flat,
            "worker_rss_mb": rss,
        }
        if dashboards:
            report["suite"] = "dashboards"
            derive(report, low, high, DASHBOARD_RATIO_TARGETS, me=False)
        else:
            derive(report, low, high)
    finally:
        if server is not None:
            server.stop()
        if not args.keepdb:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    print_table(report, low, high)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    shown = args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output
    print(f"\nWrote {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
