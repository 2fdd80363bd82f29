"""`manage.py seed_demo`: the demo organizations, people and partnerships behind `make run`.

Idempotent: everything is looked up by its natural key first, so a second run creates and
changes nothing (passwords of existing users are not reset either). Status changes go
through `partnership_transition`, so the demo partnerships carry real history and audit rows.
The culture, discovery and transition data of the demo partnerships come from each app's
`demo` module, which skips a partnership that already has its data.
"""

from __future__ import annotations

import datetime
import textwrap
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from demo.culture import seed_culture
from demo.discovery import seed_discovery
from demo.transition import seed_transition
from partnerships import services
from partnerships.models import ClientKind, ClientOrganization, Partnership, PartnershipStatus
from tenancy.audit import Actor
from tenancy.models import Membership, Organization, Role

DEMO_PASSWORD = "switchboard-demo"  # published in the README on purpose

# The forward path a demo partnership walks to reach its status (ended is never seeded).
STATUS_PATH = (
    PartnershipStatus.PROSPECT,
    PartnershipStatus.DISCOVERY,
    PartnershipStatus.TRANSITION,
    PartnershipStatus.LIVE,
)


@dataclass(frozen=True)
class PersonSpec:
    email: str
    full_name: str
    role: str
    # The Django admin is platform-wide (it is not scoped to one organization), so only the
    # demo platform operator gets it.
    is_superuser: bool = False
    client: str | None = None  # client name, for client executives


@dataclass(frozen=True)
class ClientSpec:
    name: str
    kind: str
    city: str
    state: str
    time_zone: str


@dataclass(frozen=True)
class PartnershipSpec:
    name: str
    client: str
    status: str
    account_manager: str  # e-mail
    contract_start_days: int  # relative to today
    planned_go_live_days: int
    description: str
    internal_notes: str
    actual_go_live_days: int | None = None
    implementation_pms: tuple[str, ...] = ()
    # The note recorded with each move, by the status moved to.
    notes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OrganizationSpec:
    slug: str
    name: str
    time_zone: str
    admin: str  # e-mail of the person whose actor performs the writes
    people: tuple[PersonSpec, ...]
    clients: tuple[ClientSpec, ...]
    partnerships: tuple[PartnershipSpec, ...]


LAKESHORE = "Lakeshore University Student Health"
PRAIRIE_VIEW = "Prairie View Community Hospital"
METRO = "Metro Specialty Physicians"
TIDEWATER = "Tidewater Pediatric Associates"

NORTHSTAR = OrganizationSpec(
    slug="northstar",
    name="Northstar Nurse Line",
    time_zone="America/Chicago",
    admin="admin@northstar.example",
    people=(
        PersonSpec("admin@northstar.example", "Dana Whitfield", Role.ADMIN, is_superuser=True),
        PersonSpec("am@northstar.example", "Marcus Oyelaran", Role.ACCOUNT_MANAGER),
        PersonSpec("pm@northstar.example", "Renee Kowalski", Role.IMPLEMENTATION_PM),
        PersonSpec(
            "exec@university.example", "Priya Raman", Role.CLIENT_EXECUTIVE, client=LAKESHORE
        ),
    ),
    clients=(
        ClientSpec(LAKESHORE, ClientKind.UNIVERSITY_HEALTH, "Marquette", "MI", "America/Detroit"),
        ClientSpec(PRAIRIE_VIEW, ClientKind.HOSPITAL, "Belleville", "KS", "America/Chicago"),
        ClientSpec(METRO, ClientKind.PHYSICIAN_PRACTICE, "Chicago", "IL", "America/Chicago"),
    ),
    partnerships=(
        PartnershipSpec(
            name="Lakeshore University — after-hours student nurse line",
            client=LAKESHORE,
            status=PartnershipStatus.TRANSITION,
            account_manager="am@northstar.example",
            implementation_pms=("pm@northstar.example",),
            contract_start_days=-120,
            planned_go_live_days=45,
            description=(
                "Lakeshore University Student Health is closing its in-house after-hours nurse "
                "line (two RNs, 17:00 to 08:00 on weekdays and around the clock at weekends) at "
                "the end of the spring term and handing it to Northstar.\n\n"
                "About 31,000 students. Volume peaks on Sunday evenings, in the first six weeks "
                "of each semester and again around finals. Callers are 18 to 26, well educated "
                "and ask in-depth questions — medication interactions, what a lab value means, "
                "whether a symptom warrants the emergency department — and expect the reasoning, "
                "not just a disposition. A large share are international students: Mandarin "
                "and Hindi interpretation on every shift.\n\n"
                "Objectives: caller satisfaction at or above the internal line's 92%; "
                "mental-health calls warm-transferred to the on-call counselor within 60 "
                "seconds; visit notes in the student health record by 08:00 the next morning."
            ),
            internal_notes=(
                "Renee ran the university's nurse line for six years before joining us as "
                "implementation PM; she knows the physicians' standing orders by heart — lean "
                "on her for knowledge capture. One night RN is retiring in May, the other is "
                "weighing our offer: handle with care and keep the counseling center's director "
                "informed. Renewal is tied to the fall CSAT survey."
            ),
            notes={
                PartnershipStatus.DISCOVERY: (
                    "Master services agreement signed; discovery kickoff held with the "
                    "director of student health and the night nurses."
                ),
                PartnershipStatus.TRANSITION: (
                    "Discovery signed off, including the desired patient experience session "
                    "with student representatives; transition plan approved."
                ),
            },
        ),
        PartnershipSpec(
            name="Prairie View — after-hours triage line",
            client=PRAIRIE_VIEW,
            status=PartnershipStatus.DISCOVERY,
            account_manager="am@northstar.example",
            contract_start_days=-21,
            planned_go_live_days=160,
            description=(
                "Prairie View Community Hospital, a 25-bed critical access hospital, answers "
                "its after-hours calls at the emergency department's nurses' station today, "
                "which pulls nurses away from patients.\n\n"
                "The county is older (median age 49); many callers are retirees managing "
                "several chronic conditions, calling from landlines. They need plain language, "
                "unhurried calls and explicit next steps, and they often ask for a nurse by "
                "name.\n\n"
                "Discovery covers what the station delivers informally today — post-discharge "
                "calls, refill requests for the rural health clinic, on-call paging for two "
                "family physicians and a visiting surgeon — and the baselines we must match. "
                "No change is proposed before the desired patient experience session with the "
                "chief nursing officer is signed off."
            ),
            internal_notes=(
                "The CNO is supportive; the ED charge nurses are not yet — they fear losing "
                "their relationship with 'their' patients. Visit in person rather than by "
                "video. Broadband at the clinic is unreliable: confirm a fax fallback for the "
                "paging workflow."
            ),
            notes={
                PartnershipStatus.DISCOVERY: (
                    "Contract signed by the hospital board; discovery starts with two days on "
                    "site at the ED nurses' station."
                ),
            },
        ),
        PartnershipSpec(
            name="Metro Specialty — after-hours and overflow triage",
            client=METRO,
            status=PartnershipStatus.LIVE,
            account_manager="am@northstar.example",
            contract_start_days=-330,
            planned_go_live_days=-200,
            actual_go_live_days=-193,
            description=(
                "Metro Specialty Physicians (140 physicians in cardiology, gastroenterology, "
                "orthopedics, OB/GYN and oncology across nine clinic sites) has moved its "
                "after-hours and daytime overflow triage to Northstar.\n\n"
                "Each specialty keeps its own on-call rotation and escalation preferences; "
                "oncology patients on active chemotherapy who report a fever reach the oncology "
                "on-call within 15 minutes. Spanish and Polish coverage on every shift.\n\n"
                "Quarterly business reviews with the COO; a monthly KPI pack to the practice "
                "administrator."
            ),
            internal_notes=(
                "Go-live slipped a week while the cardiology rotation feed was fixed. "
                "Orthopedics still prefers pages to secure messages after 22:00 — honor it. "
                "Renewal conversation due next quarter; the COO's priority is the abandonment "
                "rate during the Monday-morning overflow."
            ),
            notes={
                PartnershipStatus.DISCOVERY: "Contract signed; discovery kickoff with the COO.",
                PartnershipStatus.TRANSITION: (
                    "Discovery and desired patient experience signed off by the COO and the "
                    "specialty chiefs."
                ),
                PartnershipStatus.LIVE: (
                    "Cutover complete: all nine sites route after-hours calls to Northstar; "
                    "on-call paging verified with every specialty."
                ),
            },
        ),
    ),
)

HARBOR = OrganizationSpec(
    slug="harbor",
    name="Harbor Triage Services",
    time_zone="America/New_York",
    admin="admin@harbor.example",
    people=(PersonSpec("admin@harbor.example", "Colin Mercer", Role.ADMIN),),
    clients=(
        ClientSpec(TIDEWATER, ClientKind.PHYSICIAN_PRACTICE, "Norfolk", "VA", "America/New_York"),
    ),
    partnerships=(
        PartnershipSpec(
            name="Tidewater Pediatrics — after-hours triage",
            client=TIDEWATER,
            status=PartnershipStatus.DISCOVERY,
            account_manager="admin@harbor.example",
            contract_start_days=-14,
            planned_go_live_days=120,
            description=(
                "A twelve-pediatrician practice handing its after-hours line to Harbor. "
                "Callers are parents, often of infants; fever in babies under three months "
                "goes straight to the on-call pediatrician."
            ),
            internal_notes="Practice manager prefers updates by phone on Friday afternoons.",
            notes={PartnershipStatus.DISCOVERY: "Contract signed; discovery kickoff booked."},
        ),
    ),
)

ORGANIZATIONS = (NORTHSTAR, HARBOR)


class Command(BaseCommand):
    help = (
        "Load the demo organizations, people and partnerships (idempotent). "
        f"Every demo login uses the password '{DEMO_PASSWORD}'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo data even with DEBUG off (never on a real deployment).",
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with a published password, so it only runs with "
                "DEBUG on. Use --force to load the demo data anyway (never on a real "
                "deployment)."
            )
        self.created: list[tuple[str, str]] = []  # (kind, what)
        self.today = timezone.localdate()
        with transaction.atomic():
            for spec in ORGANIZATIONS:
                self._seed_organization(spec)
        if self.created:
            counts = Counter(kind for kind, _ in self.created)
            summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
            self.stdout.write(
                textwrap.fill(f"Created: {summary}.", width=100, subsequent_indent="  ")
            )
            if options.get("verbosity", 1) > 1:
                for kind, what in self.created:
                    self.stdout.write(f"  + {kind} {what}")
        else:
            self.stdout.write("Demo data already present; nothing changed.")
        self._print_logins()

    # --- Seeding -----------------------------------------------------------------------

    def _seed_organization(self, spec: OrganizationSpec) -> None:
        organization = Organization.objects.filter(slug=spec.slug).first()
        if organization is None:
            organization = Organization(slug=spec.slug, name=spec.name, time_zone=spec.time_zone)
            organization.full_clean()
            organization.save()
            self.created.append(("organization", spec.name))

        # Provider members first: the admin's actor writes everything else.
        users = {person.email: self._user(person) for person in spec.people}
        for person in spec.people:
            if person.client is None:
                self._membership(organization, users[person.email], person.role)
        admin_membership = Membership.objects.select_related("organization", "user").get(
            organization=organization, user=users[spec.admin]
        )
        actor = Actor(membership=admin_membership, user_agent="manage.py seed_demo")

        clients = {client.name: self._client(actor, client) for client in spec.clients}
        for person in spec.people:
            if person.client is not None:
                self._membership(
                    organization, users[person.email], person.role, clients[person.client]
                )
        for partnership in spec.partnerships:
            self._partnership(actor, partnership, clients, users)
        self.created += seed_culture(organization=organization, actor=actor)
        self.created += seed_discovery(organization=organization, actor=actor)
        self.created += seed_transition(organization=organization, actor=actor)

    def _user(self, person: PersonSpec) -> User:
        user = User.objects.filter(email__iexact=person.email).first()
        if user is None:
            user = User.objects.create_user(
                email=person.email,
                password=DEMO_PASSWORD,
                full_name=person.full_name,
                is_staff=person.is_superuser,
                is_superuser=person.is_superuser,
            )
            self.created.append(("user", person.email))
        return user

    def _membership(
        self,
        organization: Organization,
        user: User,
        role: str,
        client: ClientOrganization | None = None,
    ) -> Membership:
        membership = Membership.objects.filter(organization=organization, user=user).first()
        if membership is None:
            membership = Membership(organization=organization, user=user, role=role, client=client)
            membership.full_clean()
            membership.save()
            self.created.append(("membership", f"{user.email} · {role} · {organization.slug}"))
        return membership

    def _client(self, actor: Actor, spec: ClientSpec) -> ClientOrganization:
        client = ClientOrganization.objects.filter(
            organization=actor.organization, name=spec.name
        ).first()
        if client is None:
            client = services.client_create(
                actor=actor,
                name=spec.name,
                kind=spec.kind,
                city=spec.city,
                state=spec.state,
                time_zone=spec.time_zone,
            )
            self.created.append(("client", spec.name))
        return client

    def _partnership(
        self,
        actor: Actor,
        spec: PartnershipSpec,
        clients: dict[str, ClientOrganization],
        users: dict[str, User],
    ) -> Partnership:
        partnership = Partnership.objects.filter(
            organization=actor.organization, name=spec.name
        ).first()
        if partnership is None:
            partnership = services.partnership_create(
                actor=actor,
                implementation_pms=[users[email] for email in spec.implementation_pms],
                client=clients[spec.client],
                name=spec.name,
                contract_start=self._day(spec.contract_start_days),
                planned_go_live=self._day(spec.planned_go_live_days),
                account_manager=users[spec.account_manager],
                description=spec.description,
                internal_notes=spec.internal_notes,
            )
            self.created.append(("partnership", spec.name))
        # Walk forward only: a partnership someone has moved on (or ended) is left alone.
        if partnership.status not in STATUS_PATH:
            return partnership
        start = STATUS_PATH.index(partnership.status) + 1
        stop = STATUS_PATH.index(spec.status) + 1
        for to_status in STATUS_PATH[start:stop]:
            partnership = services.partnership_transition(
                actor=actor,
                partnership=partnership,
                to_status=to_status,
                note=spec.notes.get(to_status, ""),
                actual_go_live=(
                    self._day(spec.actual_go_live_days)
                    if to_status == PartnershipStatus.LIVE and spec.actual_go_live_days is not None
                    else None
                ),
            )
            self.created.append(("status change", f"{spec.name} → {to_status}"))
        return partnership

    def _day(self, offset: int) -> datetime.date:
        return self.today + datetime.timedelta(days=offset)

    # --- Output --------------------------------------------------------------------------

    def _print_logins(self) -> None:
        rows = [
            (person.email, person.full_name, Role(person.role).label, spec.slug)
            for spec in ORGANIZATIONS
            for person in spec.people
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password '{DEMO_PASSWORD}'):"))
        for email, name, role, slug in rows:
            self.stdout.write(
                f"  {email:<{widths[0]}}  {name:<{widths[1]}}  {role:<{widths[2]}}  /o/{slug}/"
            )
        operators = [p.email for spec in ORGANIZATIONS for p in spec.people if p.is_superuser]
        site = settings.SITE_URL.rstrip("/")
        self.stdout.write(f"Sign in at {site}/login/; the Django admin ({site}/admin/) is open to")
        self.stdout.write(
            f"  {', '.join(operators)} (platform-wide, not scoped to one organization)."
        )
