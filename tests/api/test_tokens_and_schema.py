"""Token authentication (hashed, organization-scoped), /api/v1/me/, and the OpenAPI schema."""

from __future__ import annotations

import hashlib
import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from openapi_spec_validator import validate

from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke
from tenancy.models import AuditEvent
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def partnerships_url(membership, **kwargs) -> str:
    name = "api:partnership-detail" if kwargs else "api:partnership-list"
    return reverse(name, kwargs={"org_slug": membership.organization.slug, **kwargs})


@pytest.fixture
def issued(admin, actor_for):
    return api_token_create(actor=actor_for(admin), name="ACD nightly push")


def test_a_token_reads_its_own_organization(
    api, admin, issued, partnership, other_client_partnership
):
    api.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")
    response = api.get(partnerships_url(admin))
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {
        partnership.pk,
        other_client_partnership.pk,
    }
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None


def test_a_token_cannot_read_another_organization(
    api, admin, outsider, issued, outsider_partnership
):
    api.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")
    assert api.get(partnerships_url(outsider)).status_code == 404
    assert api.get(partnerships_url(outsider, pk=outsider_partnership.pk)).status_code == 404
    # Not even when its user also belongs to the other organization: the token is for one.
    MembershipFactory(organization=outsider.organization, user=admin.user)
    assert api.get(partnerships_url(outsider)).status_code == 404


def test_a_token_acts_with_its_users_role(api, implementation_pm, actor_for, partnership):
    key = api_token_create(actor=actor_for(implementation_pm), name="PM sync").key
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.post(
        reverse(
            "api:partnership-transition", kwargs={"org_slug": "northstar", "pk": partnership.pk}
        ),
        {"status": "ended"},
        format="json",
    )
    assert response.status_code == 403


def test_a_revoked_token_is_401(api, admin, issued, actor_for):
    api_token_revoke(actor=actor_for(admin), token=issued.token)
    api.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")
    response = api.get(partnerships_url(admin))
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked token."}
    assert AuditEvent.objects.filter(verb="api_token.revoked").count() == 1


def test_an_unknown_token_is_401(api, admin, issued):
    api.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}x")
    assert api.get(partnerships_url(admin)).status_code == 401


def test_a_token_of_an_inactive_user_is_401(api, admin, issued):
    admin.user.is_active = False
    admin.user.save()
    api.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")
    assert api.get(partnerships_url(admin)).status_code == 401


def test_only_a_hash_of_the_token_is_stored(issued):
    token = ApiToken.objects.get(pk=issued.token.pk)
    assert token.key_hash == hashlib.sha256(issued.key.encode()).hexdigest()
    assert token.prefix == issued.key[:8]
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert issued.key not in json.dumps(row, default=str)
    # Nowhere in the database, not in the audit log either.
    with connection.cursor() as cursor:
        for table in ("accounts_apitoken", "tenancy_auditevent"):
            cursor.execute(f"SELECT * FROM {table}")
            assert issued.key not in repr(cursor.fetchall()), table


def test_a_token_needs_a_name(admin, actor_for):
    from tenancy.errors import ApplicationError

    with pytest.raises(ApplicationError) as caught:
        api_token_create(actor=actor_for(admin), name="  ")
    assert caught.value.field == "name"


# --- /api/v1/me/ -----------------------------------------------------------------------------


def test_me_with_a_session_lists_every_membership(api, admin, org_b):
    MembershipFactory(organization=org_b, user=admin.user, role="account_manager")
    api.force_login(admin.user)
    data = api.get(reverse("api:me")).json()
    assert data["email"] == "admin@northstar.example"
    assert [(m["organization"]["slug"], m["role"]) for m in data["memberships"]] == [
        ("harbor", "account_manager"),
        ("northstar", "admin"),
    ]


def test_me_with_a_token_lists_the_tokens_organization_only(api, admin, org_b, issued):
    MembershipFactory(organization=org_b, user=admin.user, role="account_manager")
    api.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")
    data = api.get(reverse("api:me")).json()
    assert [m["organization"]["slug"] for m in data["memberships"]] == ["northstar"]


def test_me_needs_authentication(api):
    assert api.get(reverse("api:me")).status_code in (401, 403)


# --- OpenAPI -----------------------------------------------------------------------------------


def test_the_schema_is_a_valid_openapi_3_document(api):
    response = api.get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    validate(document)
    paths = document["paths"]
    assert "/api/v1/orgs/{org_slug}/partnerships/" in paths
    assert "/api/v1/orgs/{org_slug}/partnerships/{id}/transition/" in paths
    assert "/api/v1/me/" in paths
    assert "tokenAuth" in json.dumps(document["components"].get("securitySchemes", {})) or (
        "Token" in json.dumps(document["components"].get("securitySchemes", {}))
    )


def test_generating_the_schema_emits_no_warnings(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "schema.yaml"
    # --fail-on-warn raises CommandError on any warning or error; --validate checks the result.
    call_command(
        "spectacular",
        "--fail-on-warn",
        "--validate",
        "--file",
        str(target),
        stdout=out,
        stderr=err,
    )
    assert "Warning" not in err.getvalue(), err.getvalue()
    assert "Error" not in err.getvalue(), err.getvalue()
    assert target.read_text().startswith("openapi: 3")


def test_the_docs_page_uses_local_assets_only(client):
    from django.contrib.staticfiles import finders

    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(source.startswith("/static/") for source in sources), sources
    for source in sources:
        # Same origin only: /static/ (vendored by drf-spectacular-sidecar) or the view itself.
        assert source.startswith("/") and not source.startswith("//"), source
        if source.startswith("/static/"):
            assert finders.find(source.removeprefix("/static/")), f"{source} is not shipped"
    # The split view serves its init script from itself; that script points at our schema.
    script_url = next(source for source in sources if "?script" in source)
    script = client.get(script_url.replace("&amp;", "&")).content.decode()
    assert reverse("schema") in script
    assert not re.search(r"https?://", html + script)
