"""CSV import of satisfaction results: validated whole, all or nothing, upserted."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from culture.imports import CsvImportError, satisfaction_import_csv
from culture.models import SatisfactionResult
from tenancy.errors import ApplicationError
from tenancy.models import AuditEvent
from tests.culture.factories import CallerPopulationFactory, SatisfactionResultFactory

pytestmark = pytest.mark.django_db

HEADER = "population,period_start,period_end,responses,satisfied_pct,questions_answered_pct\n"
GOOD = (
    HEADER
    + '"Students, main campus, Ann Arbor MI",2026-01-01,2026-01-31,212,91.5,88\n'
    + '"Students, main campus, Ann Arbor MI",2026-02-01,2026-02-28,198,92,89.25\n'
    + '"retirees, rural washtenaw county",01/01/2026,01/31/2026,"1,020",84%,80\n'
)


def rows():
    return sorted(
        SatisfactionResult.objects.values_list(
            "population__name", "period_start", "responses", "satisfied_pct", "source"
        )
    )


def test_import_creates_then_updates_the_same_periods(
    partnership, students, retirees, implementation_pm, actor_for
):
    actor = actor_for(implementation_pm)
    summary = satisfaction_import_csv(actor=actor, partnership=partnership, file=GOOD.encode())
    assert (summary.created, summary.updated) == (3, 0)
    assert rows() == [
        (retirees.name, datetime.date(2026, 1, 1), 1020, Decimal("84.00"), "csv"),
        (students.name, datetime.date(2026, 1, 1), 212, Decimal("91.50"), "csv"),
        (students.name, datetime.date(2026, 2, 1), 198, Decimal("92.00"), "csv"),
    ]
    corrected = GOOD.replace("212,91.5", "215,90.25")
    summary = satisfaction_import_csv(actor=actor, partnership=partnership, file=corrected)
    assert (summary.created, summary.updated) == (0, 3)
    assert SatisfactionResult.objects.count() == 3
    assert SatisfactionResult.objects.get(
        population=students, period_start="2026-01-01"
    ).satisfied_pct == Decimal("90.25")
    assert AuditEvent.objects.filter(verb="satisfaction_results.imported").count() == 2


def test_a_bad_row_in_the_middle_saves_nothing(partnership, students, retirees, admin, actor_for):
    existing = SatisfactionResultFactory(
        population=students,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 31),
        responses=7,
    )
    before = rows()
    text = (
        HEADER
        + f'"{students.name}",2026-01-01,2026-01-31,300,90,80\n'  # row 2: would update
        + f'"{students.name}",2026-02-01,2026-02-28,200,90,80\n'  # row 3: would create
        + f'"{students.name}",2026-03-01,2026-03-31,200,101,80\n'  # row 4: bad
        + f'"{retirees.name}",2026-03-01,2026-03-31,20,88,80\n'  # row 5
    )
    with pytest.raises(CsvImportError) as error:
        satisfaction_import_csv(actor=actor_for(admin), partnership=partnership, file=text)
    assert [str(e) for e in error.value.errors] == [
        "row 4, satisfied_pct: must be between 0 and 100"
    ]
    assert error.value.field == "file"
    assert "row 4, satisfied_pct: must be between 0 and 100" in error.value.message
    assert rows() == before
    existing.refresh_from_db()
    assert existing.responses == 7
    assert not AuditEvent.objects.filter(verb="satisfaction_results.imported").exists()


def test_every_error_is_reported_with_row_and_column(partnership, students, admin, actor_for):
    text = (
        HEADER
        + "Nobody we know,2026-01-01,2026-01-31,10,90,80\n"  # 2
        + f'"{students.name}",2026-13-01,2026-01-31,-4,abc,\n'  # 3
        + f'"{students.name}",2026-02-28,2026-02-01,10,90,80\n'  # 4
        + "\n"  # 5: blank, skipped
        + f'"{students.name}",2026-03-01,2026-03-31,10,90,80\n'  # 6
        + f'"{students.name}",2026-03-01,2026-03-31,11,91,81\n'  # 7: duplicate of 6
    )
    with pytest.raises(CsvImportError) as error:
        satisfaction_import_csv(actor=actor_for(admin), partnership=partnership, file=text)
    assert [str(e) for e in error.value.errors] == [
        "row 2, population: no population named “Nobody we know” in this partnership",
        "row 3, period_start: “2026-13-01” is not a date (use YYYY-MM-DD)",
        "row 3, responses: “-4” is not a whole number of 0 or more",
        "row 3, satisfied_pct: “abc” is not a number",
        "row 3, questions_answered_pct: is required",
        "row 4, period_end: the period cannot end before it starts",
        "row 7, period_start: the same population and period as row 6",
    ]
    assert not SatisfactionResult.objects.exists()


def test_header_problems_and_empty_files(partnership, students, admin, actor_for):
    actor = actor_for(admin)
    with pytest.raises(CsvImportError) as error:
        satisfaction_import_csv(
            actor=actor,
            partnership=partnership,
            file="population,period_start,period_end,responses\n",
        )
    assert [e.column for e in error.value.errors] == ["satisfied_pct", "questions_answered_pct"]
    for text in ("", HEADER):
        with pytest.raises(CsvImportError):
            satisfaction_import_csv(actor=actor, partnership=partnership, file=text)
    with pytest.raises(ApplicationError) as error:
        satisfaction_import_csv(actor=actor, partnership=partnership, file=b"\xff\xfe\x00\x81\x8d")
    assert error.value.field == "file"


def test_population_names_are_looked_up_in_this_partnership_only(
    partnership, other_client_partnership, admin, actor_for
):
    CallerPopulationFactory(partnership=other_client_partnership, name="County retirees")
    text = HEADER + "County retirees,2026-01-01,2026-01-31,10,90,80\n"
    with pytest.raises(CsvImportError) as error:
        satisfaction_import_csv(actor=actor_for(admin), partnership=partnership, file=text)
    assert error.value.errors[0].column == "population"


def test_dry_run_counts_and_saves_nothing(partnership, students, retirees, admin, actor_for):
    summary = satisfaction_import_csv(
        actor=actor_for(admin), partnership=partnership, file=GOOD, dry_run=True
    )
    assert (summary.created, summary.updated, summary.dry_run) == (3, 0, True)
    assert not SatisfactionResult.objects.exists()


def test_client_executive_cannot_import(
    partnership, students, retirees, client_executive, actor_for
):
    with pytest.raises(PermissionDenied):
        satisfaction_import_csv(
            actor=actor_for(client_executive), partnership=partnership, file=GOOD
        )


def test_bulk_endpoint_takes_a_multipart_upload(
    partnership, students, retirees, account_manager, as_, url
):
    api = as_(account_manager)
    upload = SimpleUploadedFile("results.csv", GOOD.encode(), content_type="text/csv")
    response = api.post(url("satisfaction-result-bulk"), {"file": upload}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 3, "updated": 0, "rows": 3, "dry_run": False}

    bad = GOOD.replace("198,92", "198,920")
    upload = SimpleUploadedFile("results.csv", bad.encode(), content_type="text/csv")
    response = api.post(url("satisfaction-result-bulk"), {"file": upload}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == [
        {
            "row": 3,
            "column": "satisfied_pct",
            "message": "must be between 0 and 100",
            "text": "row 3, satisfied_pct: must be between 0 and 100",
        }
    ]
    assert "nothing was saved" in body["file"][0]
    assert SatisfactionResult.objects.get(
        population=students, period_start="2026-02-01"
    ).satisfied_pct == Decimal("92")

    response = api.post(url("satisfaction-result-bulk"), {}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()
