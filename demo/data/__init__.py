"""The demo organizations behind `make run`, each client in a module of its own."""

from __future__ import annotations

from demo.data import cedar_ridge, lakeshore, metro, prairie_view, tidewater
from demo.data.shared import QA_GRACE, QA_TOMAS
from demo.spec import OrganizationSpec, PersonSpec
from tenancy.models import Role

DEMO_PASSWORD = "switchboard-demo"  # published in the README on purpose

NORTHSTAR = OrganizationSpec(
    slug="northstar",
    name="Northstar Nurse Line",
    time_zone="America/Chicago",
    admin="admin@northstar.example",
    people=(
        PersonSpec("admin@northstar.example", "Dana Whitfield", Role.ADMIN),
        PersonSpec("am@northstar.example", "Marcus Oyelaran", Role.ACCOUNT_MANAGER),
        PersonSpec("pm@northstar.example", "Renee Kowalski", Role.IMPLEMENTATION_PM),
        PersonSpec(QA_GRACE, "Grace Liu, RN — QA nurse", Role.IMPLEMENTATION_PM),
        PersonSpec(QA_TOMAS, "Tomás Reyes, RN — QA nurse", Role.IMPLEMENTATION_PM),
    ),
    clients=(lakeshore.CLIENT, prairie_view.CLIENT, metro.CLIENT, cedar_ridge.CLIENT),
)

HARBOR = OrganizationSpec(
    slug="harbor",
    name="Harbor Triage Services",
    time_zone="America/New_York",
    admin="admin@harbor.example",
    people=(PersonSpec("admin@harbor.example", "Colin Mercer", Role.ADMIN),),
    clients=(tidewater.CLIENT,),
)

ORGANIZATIONS = (NORTHSTAR, HARBOR)

# Platform staff: the Django admin (/admin/) is theirs alone. They belong to no organization;
# no tenant's member is staff or superuser.
PLATFORM_OPERATORS = (
    PersonSpec("operator@switchboard.example", "Sam Okafor", "", is_superuser=True),
)
