"""Benchmark the partnership list: the API endpoint and the server-rendered page.

Creates N partnerships per size in a throwaway database (a test database next to
DATABASE_URL's when it is set, else a temporary SQLite file), requests each list with
django.test.Client as members of different roles, and writes timings and query counts to
bench/results/partnership_list.json with the machine and date.

    .venv/bin/python bench/partnership_list.py [--sizes 100 1000] [--requests 30]

The figures are for comparing changes on one machine, not a load test: the test client runs
the whole Django stack (middleware, auth, templates, serializers) but no HTTP server.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

# WhiteNoise warns about an uncollected STATIC_ROOT; static files are not benchmarked.
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from bench import machine as bench_machine  # noqa: E402
from partnerships.models import ClientKind, ClientOrganization, Partnership, PartnershipStatus  # noqa: E402
from tenancy.models import (  # noqa: E402
    Membership,
    Organization,
    Role,
)

RESULTS = ROOT / "bench" / "results" / "partnership_list.json"
STATUSES = [s for s in PartnershipStatus.values if s != PartnershipStatus.ENDED]
ROLES = (Role.ADMIN, Role.IMPLEMENTATION_PM)


def populate(size: int) -> tuple[Organization, dict[str, User]]:
    """One organization with `size` partnerships; the PM is assigned to every other one."""
    # Signed in with force_login, no second factor given: the organization does not require
    # one (a verified session's second factor costs no query per request: accounts/twofactor.py).
    organization = Organization.objects.create(
        name=f"Bench {size}",
        slug=f"bench-{size}",
        time_zone="America/Chicago",
        two_factor_required=False,
    )
    users = {}
    for role in (Role.ADMIN, Role.ACCOUNT_MANAGER, Role.IMPLEMENTATION_PM):
        user = User.objects.create_user(
            email=f"{role}-{size}@bench.example", password="bench", full_name=f"{role} {size}"
        )
        Membership.objects.create(organization=organization, user=user, role=role)
        users[role] = user
    clients = ClientOrganization.objects.bulk_create(
        ClientOrganization(
            organization=organization,
            name=f"Client {i:04d}",
            kind=ClientKind.HOSPITAL,
            city="Springfield",
            state="IL",
            time_zone="America/Chicago",
        )
        for i in range(max(3, size // 10))
    )
    today = timezone.localdate()
    partnerships = Partnership.objects.bulk_create(
        (
            Partnership(
                organization=organization,
                client=clients[i % len(clients)],
                name=f"Partnership {i:05d}",
                status=STATUSES[i % len(STATUSES)],
                contract_start=today - datetime.timedelta(days=200),
                planned_go_live=today + datetime.timedelta(days=i % 300),
                actual_go_live=(
                    today - datetime.timedelta(days=10)
                    if STATUSES[i % len(STATUSES)] == PartnershipStatus.LIVE
                    else None
                ),
                account_manager=users[Role.ACCOUNT_MANAGER],
                description="Benchmark partnership.",
            )
            for i in range(size)
        ),
        batch_size=500,
    )
    through = Partnership.implementation_pms.through
    through.objects.bulk_create(
        (
            through(partnership_id=p.pk, user_id=users[Role.IMPLEMENTATION_PM].pk)
            for p in partnerships[::2]
        ),
        batch_size=500,
    )
    return organization, users


def measure(client: Client, url: str, requests: int) -> dict:
    """Median, mean and p95 milliseconds per request, requests/s, and the query count."""
    for _ in range(3):  # warm caches: URL resolver, templates, connection
        response = client.get(url)
        if response.status_code != 200:
            return {"url": url, "status": response.status_code, "error": "not 200"}
    # The log is a bounded deque that migrations may have filled; a full one counts nothing.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    query_count = len(queries)  # read now: later requests reset the connection's query log
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {
        "url": url,
        "status": response.status_code,
        "bytes": len(response.content),
        "queries": query_count,
        "ms_median": round(statistics.median(timings), 2),
        "ms_mean": round(statistics.fmean(timings), 2),
        "ms_p95": round(timings[max(0, int(len(timings) * 0.95) - 1)], 2),
        "requests_per_s": round(1000 / statistics.fmean(timings), 1),
        "requests": requests,
    }


def endpoints(slug: str) -> dict[str, str | None]:
    api = reverse("api:partnership-list", kwargs={"org_slug": slug})
    try:
        page = reverse("partnerships:list", kwargs={"org_slug": slug})
    except NoReverseMatch:
        page = None
    return {"api": api, "api_page_size_200": f"{api}?page_size=200", "page": page}


def machine() -> dict:
    return bench_machine.machine(settings=os.environ["DJANGO_SETTINGS_MODULE"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per URL")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()

    setup_test_environment()
    tmp = None
    if connection.vendor == "sqlite":
        # A file, not the in-memory default, so the figures include real I/O like make run.
        tmp = tempfile.TemporaryDirectory(prefix="switchboard-bench-")
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(Path(tmp.name) / "b.db")
    else:
        # Not test_<name>: a test run on the same server must not lose its database to us.
        name = f"bench_{connection.settings_dict['NAME']}"
        connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    report = {"machine": machine(), "sizes": {}}
    try:
        for size in args.sizes:
            start = time.perf_counter()
            organization, users = populate(size)
            setup_s = round(time.perf_counter() - start, 2)
            report["sizes"][str(size)] = {"setup_s": setup_s, "roles": {}}
            for role in ROLES:
                client = Client()
                client.force_login(users[role])
                visible = Partnership.objects.filter(organization=organization)
                if role == Role.IMPLEMENTATION_PM:
                    visible = visible.filter(implementation_pms=users[role])
                rows = {"visible_partnerships": visible.count()}
                for name, url in endpoints(organization.slug).items():
                    rows[name] = measure(client, url, args.requests) if url else None
                report["sizes"][str(size)]["roles"][role] = rows
                print_rows(size, role, rows)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        if tmp is not None:
            tmp.cleanup()

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    shown = args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output
    print(f"\nWrote {shown}")
    return 0


def print_rows(size: int, role: str, rows: dict) -> None:
    for name, row in rows.items():
        if not isinstance(row, dict):
            continue
        if "error" in row:
            print(f"{size:>6} {role:<18} {name:<18} HTTP {row['status']}")
            continue
        print(
            f"{size:>6} {role:<18} {name:<18} {row['ms_median']:>8.2f} ms median "
            f"{row['ms_p95']:>8.2f} ms p95 {row['requests_per_s']:>8.1f} req/s "
            f"{row['queries']:>3} queries"
        )


if __name__ == "__main__":
    sys.exit(main())
