"""The data generation (tenancy/generation.py): every kind of write changes it, reads and the
quiet tables do not, a transaction's commit changes it again, and what a page remembered is
given back only until the next write."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from redis.exceptions import ConnectionError as RedisConnectionError

from accounts.models import User
from health.models import Alert, AlertKind
from partnerships.models import Partnership
from tenancy import generation, rls
from tenancy.models import AuditEvent


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('INSERT INTO "health_alert" ("title") VALUES (%s)', "health_alert"),
        ('  insert into "Health_Alert" ("title") VALUES (%s)', "health_alert"),
        ('INSERT OR IGNORE INTO "health_healthcheck" ("id") VALUES (1)', "health_healthcheck"),
        ('UPDATE "partnerships_partnership" SET "name" = %s', "partnerships_partnership"),
        ('DELETE FROM "health_touchpoint" WHERE "id" = 1', "health_touchpoint"),
        ("TRUNCATE TABLE health_issue", "health_issue"),
        ("MERGE INTO health_issue USING x ON true WHEN MATCHED THEN DELETE", "health_issue"),
        ("WITH moved AS (DELETE FROM x RETURNING *) SELECT 1", ""),  # may write: which, unknown
        ('SELECT "id" FROM "health_alert" WHERE "title" = \'UPDATE\'', None),
        ("SELECT switchboard_scope(%s, %s, true)", None),
        ("SAVEPOINT s1", None),
    ],
)
def test_a_statement_is_told_a_write_by_its_first_words(sql, table):
    assert generation.written_table(sql) == table


def test_each_kind_of_write_changes_the_generation(org_a, partnership, account_manager):
    def changed(write) -> bool:
        before = generation.current()
        write()
        return generation.current() != before

    common = {
        "organization": org_a,
        "partnership": partnership,
        "recipient": account_manager.user,
        "kind": AlertKind.BAND_WORSENED,
        "band": "red",
    }
    assert changed(lambda: Alert.objects.create(**common, title="Saved"))
    assert changed(lambda: Alert.objects.bulk_create([Alert(**common, title="In bulk")]))
    assert changed(lambda: Alert.objects.filter(title="Saved").update(title="Updated"))
    assert changed(lambda: Alert.objects.filter(title="In bulk").delete())

    def by_cursor():
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE "{Partnership._meta.db_table}" SET "name" = %s WHERE "id" = %s',
                ["Renamed by hand", partnership.pk],
            )

    assert changed(by_cursor)
    # Reads do not, nor do the tables written while pages are read.
    assert not changed(lambda: list(Alert.objects.filter(partnership=partnership)))
    assert not changed(
        lambda: AuditEvent.objects.create(
            organization=org_a,
            verb="viewed",
            target_type="partnership",
            target_id=str(partnership.pk),
            target_repr="Calm line",
        )
    )


def pending_bumps() -> int:
    callback = getattr(connection, "_generation_at_commit", None)
    return sum(1 for entry in connection.run_on_commit if entry[1] is callback)


@pytest.mark.django_db(transaction=True)
def test_a_transaction_changes_it_again_when_it_commits(org_a, partnership, account_manager):
    """A reader may have computed from the state before the commit after the write's first
    change: the commit makes its result unreachable too. Once per transaction, however many
    writes it makes."""
    with transaction.atomic():
        Alert.objects.create(
            organization=org_a,
            partnership=partnership,
            recipient=account_manager.user,
            kind=AlertKind.BAND_WORSENED,
            band="red",
            title="First",
        )
        Alert.objects.filter(title="First").update(title="Second")
        assert pending_bumps() == 1
        during = generation.current()
    assert generation.current() != during


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_leaves_no_commit_callback_behind(org_a, partnership):
    with pytest.raises(RuntimeError), transaction.atomic():
        Partnership.objects.filter(pk=partnership.pk).update(name="Never kept")
        raise RuntimeError
    with transaction.atomic():
        Partnership.objects.filter(pk=partnership.pk).update(name="Kept")
        assert pending_bumps() == 1


def test_remember_gives_back_the_result_until_the_next_write(org_a, partnership):
    calls = []

    def compute():
        calls.append(1)
        return {"name": Partnership.objects.get(pk=partnership.pk).name}

    first = generation.remember(org_a.pk, ("test", partnership.pk), compute)
    again = generation.remember(org_a.pk, ("test", partnership.pk), compute)
    assert first == again == {"name": partnership.name}
    assert len(calls) == 1
    # Other parts are another result.
    generation.remember(org_a.pk, ("test", partnership.pk, "other filter"), compute)
    assert len(calls) == 2
    Partnership.objects.filter(pk=partnership.pk).update(name="Renamed")
    assert generation.remember(org_a.pk, ("test", partnership.pk), compute) == {"name": "Renamed"}
    assert len(calls) == 3


def test_a_lost_token_is_replaced_by_a_new_one(db):
    from django.core.cache import cache

    before = generation.current()
    cache.delete(generation._key())
    assert generation.current() not in ("", before)


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the scope is enforced (and so trusted) on PostgreSQL only",
)


@needs_postgresql
def test_a_write_in_one_organizations_scope_leaves_the_others_remembered(
    org_a, org_b, partnership, outsider_partnership
):
    a, b = generation.current(org_a.pk), generation.current(org_b.pk)
    with rls.scoped(rls.Scope.of([org_a.pk])):
        Partnership.objects.filter(pk=partnership.pk).update(name="Renamed in A")
    assert generation.current(org_a.pk) != a
    assert generation.current(org_b.pk) == b


@pytest.mark.parametrize(
    "scope", [rls.NOBODY, rls.SYSTEM, rls.Scope(None, "1")], ids=["none", "every", "person"]
)
def test_a_write_without_one_named_organization_changes_every_one(org_a, org_b, partnership, scope):
    """A write in every organization's scope (a system task), in none, or in a person's own
    organizations (before the URL's is known) may have changed anyone's data."""
    b = generation.current(org_b.pk)
    with rls.scoped(scope):
        Partnership.objects.filter(pk=partnership.pk).update(name="Renamed")
    assert generation.current(org_b.pk) != b


def test_a_write_to_a_table_of_no_organization_changes_every_one(org_a, org_b, admin):
    """A person's name shows in every organization they belong to."""
    b = generation.current(org_b.pk)
    with rls.scoped(rls.Scope.of([org_a.pk], person=admin.user_id)):
        User.objects.filter(pk=admin.user_id).update(full_name="Renamed")
    assert generation.current(org_b.pk) != b


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_commit_changes_the_organizations_the_transaction_wrote_to(org_a, org_b, partnership):
    with rls.scoped(rls.Scope.of([org_a.pk])), transaction.atomic():
        Partnership.objects.filter(pk=partnership.pk).update(name="Renamed in A")
        a, b = generation.current(org_a.pk), generation.current(org_b.pk)
    assert generation.current(org_a.pk) != a
    assert generation.current(org_b.pk) == b


class UnreachableCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise RedisConnectionError("Connection refused")

        return fail


def test_on_sqlite_a_scoped_write_changes_every_organizations(org_a, org_b, partnership):
    """SQLite enforces no scope, and nothing puts a narrowed one back: it is not trusted."""
    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the scope is enforced")
    b = generation.current(org_b.pk)
    with rls.scoped(rls.Scope.of([org_a.pk])):
        Partnership.objects.filter(pk=partnership.pk).update(name="Renamed in A")
    assert generation.current(org_b.pk) != b


def test_an_unreachable_cache_neither_fails_a_write_nor_a_page(org_a, partnership, monkeypatch):
    """Redis away: the write stands and the page is computed, not remembered."""
    monkeypatch.setattr(generation, "cache", UnreachableCache())
    Partnership.objects.filter(pk=partnership.pk).update(name="Written anyway")
    calls = []

    def compute():
        calls.append(1)
        return Partnership.objects.get(pk=partnership.pk).name

    assert generation.remember(org_a.pk, ("test",), compute) == "Written anyway"
    assert generation.remember(org_a.pk, ("test",), compute) == "Written anyway"
    assert len(calls) == 2
