"""Long work in the background: "run every health check now" (admins) runs in chunks,
reports its progress on a page that survives a reload, and ends with its result."""

from __future__ import annotations

from django.urls import reverse

from health.models import HealthCheck
from partnerships.models import PartnershipStatus
from tenancy.models import Job
from tests.factories import PartnershipFactory


def start_url(org):
    return reverse("dashboards:health-checks-all", kwargs={"org_slug": org.slug})


def test_an_admin_runs_every_check_and_follows_it(
    as_member, admin, org_a, university, account_manager, django_capture_on_commit_callbacks
):
    for n in range(3):
        PartnershipFactory(
            organization=org_a,
            client=university,
            name=f"Line {n}",
            status=PartnershipStatus.DISCOVERY,
            account_manager=account_manager.user,
        )
    PartnershipFactory(organization=org_a, client=university, status=PartnershipStatus.PROSPECT)
    member = as_member(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = member.post(start_url(org_a))
    job = Job.objects.get()
    assert response.url == reverse("jobs:job", kwargs={"org_slug": "northstar", "pk": job.pk})
    assert (job.status, job.total, job.done, job.progress) == ("done", 3, 3, 100)
    assert job.result == "Checked 3 partnerships; 0 new alerts."
    assert HealthCheck.objects.filter(organization=org_a).count() == 3
    page = member.get(response.url).content.decode()
    assert "Done." in page and "Checked 3 partnerships" in page


def test_the_progress_fragment_polls_while_running(as_member, admin, org_a):
    job = Job.objects.create(
        organization=org_a,
        kind="health_checks",
        requested_by=admin.user,
        status="running",
        total=400,
        done=100,
    )
    fragment = (
        as_member(admin)
        .get(
            reverse("jobs:job", kwargs={"org_slug": "northstar", "pk": job.pk}),
            HTTP_HX_REQUEST="true",
        )
        .content.decode()
    )
    assert 'hx-trigger="every 1s"' in fragment and "100 of 400" in fragment
    assert 'value="25"' in fragment


def test_only_admins_run_every_check(as_member, account_manager, client_executive, org_a):
    assert as_member(account_manager).post(start_url(org_a)).status_code == 403
    assert as_member(client_executive).post(start_url(org_a)).status_code == 404
    assert not Job.objects.exists()


def test_someone_elses_job_is_404(as_member, admin, account_manager, org_a, outsider):
    job = Job.objects.create(organization=org_a, kind="health_checks", requested_by=admin.user)
    url = reverse("jobs:job", kwargs={"org_slug": "northstar", "pk": job.pk})
    assert as_member(account_manager).get(url).status_code == 404
    assert as_member(outsider).get(url).status_code == 404


def test_a_kpi_import_job_that_fails_saves_nothing_and_says_why(
    as_member, implementation_pm, partnership, org_a
):
    from health.import_tasks import kpi_import_task
    from health.models import KpiMeasurement

    partnership.status = PartnershipStatus.LIVE
    partnership.save()
    job = Job.objects.create(
        organization=org_a,
        kind="kpi_import",
        requested_by=implementation_pm.user,
        total=1,
        payload="day,kpi,value\n2026-11-01,no_such_kpi,4\n",
    )
    assert (
        kpi_import_task(organization_id=org_a.pk, job_id=job.pk, partnership_id=partnership.pk)
        == "failed"
    )
    job.refresh_from_db()
    assert job.result.startswith("Nothing was imported:") and job.payload == ""
    assert not KpiMeasurement.objects.exists()
    page = as_member(implementation_pm).get(
        reverse("jobs:job", kwargs={"org_slug": "northstar", "pk": job.pk})
    )
    assert "It did not finish." in page.content.decode()


def test_a_kpi_import_job_of_a_removed_member_does_nothing(implementation_pm, partnership, org_a):
    from health.import_tasks import kpi_import_task

    job = Job.objects.create(
        organization=org_a,
        kind="kpi_import",
        requested_by=implementation_pm.user,
        total=1,
        payload="day,kpi,value\n",
    )
    implementation_pm.delete()
    assert (
        kpi_import_task(organization_id=org_a.pk, job_id=job.pk, partnership_id=partnership.pk)
        == "failed"
    )
    job.refresh_from_db()
    assert job.result == "You no longer see this partnership."
