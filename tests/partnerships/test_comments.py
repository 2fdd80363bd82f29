"""Comment threads on a partnership's discovery and transition objects.

Provider staff see every comment; the client's executives see what was shared with them (their
own comments always are). A thread belongs to one object of one partnership: an object of
another partnership, tenant or kind answers like a missing one.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.models import Comment
from tenancy.models import AuditEvent
from tests.factories import CommentFactory
from tests.transition.factories import PlanTaskFactory


@pytest.fixture
def task(partnership):
    return PlanTaskFactory(plan__partnership=partnership, title="Go/no-go meeting")


@pytest.fixture
def thread(task):
    return {"target_type": "transition.plantask", "target_id": task.pk}


def api_url(partnership, pk=None) -> str:
    kwargs = {"org_slug": partnership.organization.slug, "partnership_pk": partnership.pk}
    if pk is None:
        return reverse("api:comment-list", kwargs=kwargs)
    return reverse("api:comment-detail", kwargs={**kwargs, "pk": pk})


def page_url(partnership) -> str:
    return reverse(
        "partnerships:comments",
        kwargs={"org_slug": partnership.organization.slug, "partnership_pk": partnership.pk},
    )


def signed_in(api, membership):
    api.force_authenticate(membership.user)
    return api


# --- API ---------------------------------------------------------------------------------


def test_provider_comments_stay_internal_unless_shared(
    api, partnership, thread, implementation_pm, account_manager, client_executive
):
    signed_in(api, implementation_pm)
    internal = api.post(api_url(partnership), {**thread, "body": "Vendor late again."})
    assert internal.status_code == 201, internal.json()
    assert internal.json()["shared_with_client"] is False
    signed_in(api, account_manager)
    shared = api.post(
        api_url(partnership), {**thread, "body": "On track.", "shared_with_client": True}
    )
    assert shared.status_code == 201

    signed_in(api, client_executive)
    bodies = [row["body"] for row in api.get(api_url(partnership), thread).json()["results"]]
    assert bodies == ["On track."]
    # An internal comment is not there for the client, not even by its id.
    assert api.get(api_url(partnership, internal.json()["id"])).status_code == 404

    signed_in(api, implementation_pm)
    bodies = [row["body"] for row in api.get(api_url(partnership), thread).json()["results"]]
    assert bodies == ["Vendor late again.", "On track."]
    assert AuditEvent.objects.filter(verb="comment.created").count() == 2


def test_the_clients_comments_are_always_shared(api, partnership, thread, client_executive):
    signed_in(api, client_executive)
    response = api.post(
        api_url(partnership), {**thread, "body": "Our CMO joins.", "shared_with_client": False}
    )
    assert response.status_code == 201
    assert response.json()["shared_with_client"] is True
    assert response.json()["author"]["email"] == client_executive.user.email


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"target_type": "accounts.user"}, "target_type"),
        ({"target_type": "transition.staffmember"}, "target_type"),
        ({"target_id": 999_999}, "target_id"),
        ({"target_id": "twelve"}, "target_id"),
        ({"body": "   "}, "body"),
        ({"body": "x" * (Comment.MAX_BODY + 1)}, "body"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    api, partnership, thread, implementation_pm, change, field
):
    signed_in(api, implementation_pm)
    response = api.post(api_url(partnership), {**thread, "body": "Hello", **change})
    assert response.status_code == 400
    assert field in response.json()
    assert not Comment.objects.exists()


def test_an_object_of_another_partnership_cannot_carry_this_ones_thread(
    api, partnership, other_client_partnership, admin
):
    foreign_task = PlanTaskFactory(plan__partnership=other_client_partnership)
    signed_in(api, admin)
    response = api.post(
        api_url(partnership),
        {"target_type": "transition.plantask", "target_id": foreign_task.pk, "body": "Hi"},
    )
    assert response.status_code == 400 and "target_id" in response.json()
    assert not Comment.objects.exists()


def test_another_tenant_sees_nothing(api, partnership, task, outsider, account_manager):
    comment = CommentFactory(target=task, author=account_manager.user, shared_with_client=True)
    signed_in(api, outsider)
    assert api.get(api_url(partnership)).status_code == 404
    assert api.get(api_url(partnership, comment.pk)).status_code == 404
    assert api.delete(api_url(partnership, comment.pk)).status_code == 404
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_only_the_author_or_an_admin_deletes(
    api, partnership, task, implementation_pm, account_manager, admin
):
    mine = CommentFactory(target=task, author=implementation_pm.user)
    theirs = CommentFactory(target=task, author=account_manager.user)
    signed_in(api, implementation_pm)
    assert api.delete(api_url(partnership, theirs.pk)).status_code == 403
    assert api.delete(api_url(partnership, mine.pk)).status_code == 204
    signed_in(api, admin)
    assert api.delete(api_url(partnership, theirs.pk)).status_code == 204
    assert not Comment.objects.exists()
    assert AuditEvent.objects.filter(verb="comment.deleted").count() == 2


@pytest.mark.parametrize("rows", [3, 30])
def test_the_thread_takes_the_same_queries_whatever_its_length(
    api, partnership, task, thread, implementation_pm, rows
):
    CommentFactory.create_batch(rows, target=task, author=implementation_pm.user)
    signed_in(api, implementation_pm)
    # 1 membership, 2 partnership, 3 count, 4 page of comments with their authors
    with CaptureQueriesContext(connection) as queries:
        response = api.get(api_url(partnership), thread)
    assert response.json()["count"] == rows
    assert len(queries) == 4, [q["sql"] for q in queries.captured_queries]


# --- Pages -------------------------------------------------------------------------------


def test_the_thread_page_shows_and_takes_comments(client, partnership, task, thread, admin):
    client.force_login(admin.user)
    CommentFactory(target=task, author=admin.user, body="First <b>thought</b>")
    response = client.get(page_url(partnership), thread)
    assert response.status_code == 200
    html = response.content.decode()
    assert "First &lt;b&gt;thought&lt;/b&gt;" in html  # text, never markup
    posted = client.post(page_url(partnership), {**thread, "body": "Second thought"})
    assert posted.status_code == 302
    assert Comment.objects.filter(body="Second thought", target_id=task.pk).exists()


def test_htmx_gets_the_fragment_and_a_bad_comment_names_the_field(
    client, partnership, thread, implementation_pm
):
    client.force_login(implementation_pm.user)
    fragment = client.get(page_url(partnership), thread, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content and b'id="comments"' in fragment.content
    refused = client.post(
        page_url(partnership), {**thread, "body": ""}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 200
    assert "body" in refused.context["comment_form"].errors
    assert not Comment.objects.exists()


def test_after_a_comment_the_page_never_sends_anyone_to_another_site(
    client, partnership, thread, admin
):
    client.force_login(admin.user)
    posted = client.post(
        page_url(partnership), {**thread, "body": "Hi", "next": "https://evil.example/"}
    )
    assert posted.status_code == 302
    assert posted.url.startswith(page_url(partnership))


def test_a_thread_of_another_partnerships_object_is_404(
    client, partnership, other_client_partnership, admin
):
    foreign_task = PlanTaskFactory(plan__partnership=other_client_partnership)
    client.force_login(admin.user)
    response = client.get(
        page_url(partnership), {"target_type": "transition.plantask", "target_id": foreign_task.pk}
    )
    assert response.status_code == 404
    assert (
        client.get(page_url(partnership), {"target_type": "x.y", "target_id": 1}).status_code == 404
    )


def test_another_tenant_gets_404_on_the_thread_page(client, partnership, thread, outsider):
    client.force_login(outsider.user)
    assert client.get(page_url(partnership), thread).status_code == 404
    assert client.post(page_url(partnership), {**thread, "body": "x"}).status_code == 404


def test_a_partnership_of_another_tenant_cannot_host_a_thread(
    client, outsider, outsider_partnership, task, thread
):
    # The outsider's own partnership, with the task of ours: nothing found, nothing written.
    client.force_login(outsider.user)
    response = client.post(page_url(outsider_partnership), {**thread, "body": "x"})
    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_a_row_whose_organization_differs_from_its_partnerships_is_refused(
    partnership, org_b, task, admin
):
    from django.core.exceptions import ValidationError

    comment = Comment(
        organization=org_b,
        partnership=partnership,
        target_type="transition.plantask",
        target_id=task.pk,
        author=admin.user,
        body="x",
    )
    with pytest.raises(ValidationError) as error:
        comment.full_clean()
    assert "partnership" in error.value.message_dict


@pytest.mark.parametrize("rows", [3, 30])
def test_the_discussion_page_lists_what_the_member_sees_in_flat_queries(
    client, partnership, task, account_manager, client_executive, rows
):
    CommentFactory.create_batch(rows, target=task, author=account_manager.user, body="Internal")
    CommentFactory(target=task, author=account_manager.user, body="Shared", shared_with_client=True)
    client.force_login(client_executive.user)
    client.get(page_url(partnership))  # the first page of an organization remembers it
    # the user with their memberships (the session comes from the cache), partnership,
    # comments, the tasks they are on, and (for a client executive's navigation) whether
    # they hold an API token
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page_url(partnership))
    html = response.content.decode()
    assert "Shared" in html and "Internal" not in html
    assert "Go/no-go meeting" in html  # the object's name, linking to its thread
    assert len(queries) == 5, "\n".join(q["sql"][:120] for q in queries.captured_queries)


def test_a_comment_on_a_kind_no_longer_commentable_still_lists(client, partnership, admin):
    CommentFactory(
        partnership=partnership,
        organization=partnership.organization,
        target_type="retired.kind",
        target_id=1,
        author=admin.user,
        body="From before",
    )
    client.force_login(admin.user)
    response = client.get(page_url(partnership))
    assert response.status_code == 200
    assert "From before" in response.content.decode()


def test_a_deleted_object_takes_its_thread_with_it(partnership, task, admin, actor_for):
    from transition import services as transition_services

    other = PlanTaskFactory(plan=task.plan, title="Another task")
    CommentFactory.create_batch(2, target=task, author=admin.user)
    kept = CommentFactory(target=other, author=admin.user)
    transition_services.task_delete(actor=actor_for(admin), task=task)
    assert list(Comment.objects.values_list("pk", flat=True)) == [kept.pk]
