"""The nurse briefing shows the knowledge transferred to the provider (a section transition
adds through partnerships/briefing.py; culture never imports transition): transferred items
only, as text, and only to those who see the partnership."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.transition.factories import KnowledgeItemFactory
from transition.models import KnowledgeCategory, KnowledgeStatus

pytestmark = pytest.mark.django_db


def briefing(partnership) -> str:
    return reverse(
        "culture:briefing",
        kwargs={"org_slug": partnership.organization.slug, "partnership_pk": partnership.pk},
    )


@pytest.fixture
def knowledge(partnership):
    return {
        "transferred": KnowledgeItemFactory(
            partnership=partnership,
            title="Dr. Patel's fever rule",
            subject="Dr. Patel",
            category=KnowledgeCategory.PHYSICIAN_PREFERENCE,
            content="Page Dr. Patel for any pediatric fever over 104°F, day or night.",
            status=KnowledgeStatus.TRANSFERRED,
        ),
        "reviewed": KnowledgeItemFactory(
            partnership=partnership,
            title="Campus pharmacy hours",
            status=KnowledgeStatus.REVIEWED,
        ),
        "captured": KnowledgeItemFactory(
            partnership=partnership,
            title="Dorm nurse extension",
            status=KnowledgeStatus.CAPTURED,
        ),
    }


@pytest.mark.parametrize("who", ["implementation_pm", "account_manager", "client_executive"])
def test_the_briefing_shows_the_knowledge_transferred_to_the_provider(
    request, who, partnership, knowledge, client
):
    client.force_login(request.getfixturevalue(who).user)
    response = client.get(briefing(partnership))
    assert response.status_code == 200
    html = response.content.decode()
    assert "What the client&#x27;s staff know" in html
    assert "Dr. Patel&#x27;s fever rule" in html
    assert "Page Dr. Patel for any pediatric fever over 104°F" in html
    assert "Physician preference · Dr. Patel" in html
    assert "Campus pharmacy hours" not in html  # reviewed, not yet transferred
    assert "Dorm nurse extension" not in html


def test_no_section_without_transferred_knowledge(partnership, implementation_pm, client):
    KnowledgeItemFactory(partnership=partnership, status=KnowledgeStatus.REVIEWED)
    client.force_login(implementation_pm.user)
    html = client.get(briefing(partnership)).content.decode()
    assert "What the client&#x27;s staff know" not in html


def test_knowledge_is_text_on_the_briefing(partnership, implementation_pm, client):
    KnowledgeItemFactory(
        partnership=partnership,
        title='<script id="x">alert(1)</script>',
        content='<img src=x onerror="alert(1)">',
        status=KnowledgeStatus.TRANSFERRED,
    )
    client.force_login(implementation_pm.user)
    html = client.get(briefing(partnership)).content.decode()
    assert '<script id="x">' not in html and "<img src=x" not in html
    assert "&lt;script id=&quot;x&quot;&gt;" in html


def test_another_partnerships_knowledge_stays_off_the_briefing(
    partnership, other_client_partnership, outsider, implementation_pm, client
):
    KnowledgeItemFactory(
        partnership=other_client_partnership,
        title="Other client's secret",
        status=KnowledgeStatus.TRANSFERRED,
    )
    client.force_login(implementation_pm.user)
    assert "Other client" not in client.get(briefing(partnership)).content.decode()
    client.force_login(outsider.user)
    assert client.get(briefing(partnership)).status_code == 404
