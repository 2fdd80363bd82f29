"""Task comments became comment threads: the migration keeps every comment, its author, its
time and who may see it (an internal comment stays provider-only)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("transition", "0001_initial"),
    ("partnerships", "0003_comment"),
    ("tenancy", "0001_initial"),
]
AFTER = [("transition", "0002_task_comments_to_comment_threads")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("as_owner")  # migrations run as the owner
def test_task_comments_are_kept_as_the_tasks_comment_thread():
    old = migrate(BEFORE)
    try:
        organization = old.get_model("tenancy", "Organization").objects.create(
            name="Northstar", slug="northstar-migration"
        )
        client = old.get_model("partnerships", "ClientOrganization").objects.create(
            organization=organization, name="University Health"
        )
        author = old.get_model("accounts", "User").objects.create(
            email="pm-migration@northstar.example", full_name="Paul Planner"
        )
        partnership = old.get_model("partnerships", "Partnership").objects.create(
            organization=organization, client=client, name="University line"
        )
        plan = old.get_model("transition", "TransitionPlan").objects.create(
            organization=organization, partnership=partnership, go_live=datetime.date(2026, 6, 1)
        )
        task = old.get_model("transition", "PlanTask").objects.create(
            organization=organization,
            partnership=partnership,
            plan=plan,
            key="go-no-go",
            phase="go_live",
            title="Go/no-go",
            start=datetime.date(2026, 5, 25),
            due=datetime.date(2026, 5, 25),
        )
        TaskComment = old.get_model("transition", "TaskComment")
        written = timezone.now() - datetime.timedelta(days=40)
        for body, internal in (("Shared with the client", False), ("Provider only", True)):
            comment = TaskComment.objects.create(
                organization=organization,
                partnership=partnership,
                task=task,
                author=author,
                body=body,
                internal=internal,
            )
            TaskComment.objects.filter(pk=comment.pk).update(created_at=written)

        new = migrate(AFTER)

        rows = list(
            new.get_model("partnerships", "Comment")
            .objects.filter(target_type="transition.plantask", target_id=task.pk)
            .order_by("body")
            .values("body", "shared_with_client", "author_id", "partnership_id", "created_at")
        )
        assert [(row["body"], row["shared_with_client"]) for row in rows] == [
            ("Provider only", False),
            ("Shared with the client", True),
        ]
        assert {row["author_id"] for row in rows} == {author.pk}
        assert {row["partnership_id"] for row in rows} == {partnership.pk}
        assert {row["created_at"] for row in rows} == {written}
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
