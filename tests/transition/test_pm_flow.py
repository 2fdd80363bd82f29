"""The implementation PM's flow: after saving a task the PM stays on that task, and a PM's
home (after signing in, or picking the organization) is "My tasks"; other roles keep the
partnerships as their home."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tenancy.models import Role
from tests.factories import MembershipFactory, OrganizationFactory
from transition.models import PlanTask

pytestmark = pytest.mark.django_db


def test_after_saving_a_task_the_pm_stays_on_it(plan, partnership, implementation_pm, client):
    task = PlanTask.objects.get(plan=plan, key="staffing-plan")
    url = reverse(
        "transition:task",
        kwargs={
            "org_slug": partnership.organization.slug,
            "partnership_pk": partnership.pk,
            "pk": task.pk,
        },
    )
    client.force_login(implementation_pm.user)
    response = client.post(
        url,
        {
            "form": "task",
            "title": "Staffing plan from three years of call volumes",
            "phase": task.phase,
            "owner": implementation_pm.user.pk,
            "start": task.start.isoformat(),
            "due": task.due.isoformat(),
            "status": "in_progress",
            "estimate_hours": "",
            "notes": "",
        },
        follow=True,
    )
    assert response.redirect_chain == [(url, 302)]
    html = response.content.decode()
    assert "“Staffing plan from three years of call volumes” saved." in html
    assert 'name="title"' in html  # the edit form of the same task, ready for the next change


def test_a_bad_task_edit_stays_on_the_form_naming_the_field(
    plan, partnership, implementation_pm, client
):
    task = PlanTask.objects.get(plan=plan, key="staffing-plan")
    url = reverse(
        "transition:task",
        kwargs={
            "org_slug": partnership.organization.slug,
            "partnership_pk": partnership.pk,
            "pk": task.pk,
        },
    )
    client.force_login(implementation_pm.user)
    response = client.post(
        url,
        {
            "form": "task",
            "title": task.title,
            "phase": task.phase,
            "owner": "",
            "start": task.start.isoformat(),
            "due": "not a date",
            "status": task.status,
        },
    )
    assert response.status_code == 200
    assert "due" in response.context["task_form"].errors


def test_a_pm_signs_in_to_their_transitions_with_my_tasks_one_click_away(
    org_a, implementation_pm, client
):
    implementation_pm.user.set_password("pass-word-123")
    implementation_pm.user.save()
    response = client.post(
        reverse("accounts:login"),
        {"username": implementation_pm.user.email, "password": "pass-word-123"},
        follow=True,
    )
    home = reverse("dashboards:home", kwargs={"org_slug": org_a.slug})
    assert response.redirect_chain[-1][0] == home
    assert response.status_code == 200
    html = response.content.decode()
    assert "My transitions" in html
    assert reverse("transition:my-tasks", kwargs={"org_slug": org_a.slug}) in html


@pytest.mark.parametrize("who", ["admin", "account_manager", "client_executive"])
def test_every_role_lands_on_its_home_page(request, org_a, who, client):
    membership = request.getfixturevalue(who)
    client.force_login(membership.user)
    response = client.get(reverse("accounts:org-picker"))
    assert response.status_code == 302
    assert response.url == reverse("dashboards:home", kwargs={"org_slug": org_a.slug})


def test_the_org_picker_sends_each_membership_to_its_home_page(org_a, implementation_pm, client):
    other = OrganizationFactory(name="Harbor Nurse Line", slug="harbor-two")
    MembershipFactory(organization=other, user=implementation_pm.user, role=Role.ADMIN)
    client.force_login(implementation_pm.user)
    html = client.get(reverse("accounts:org-picker")).content.decode()
    assert reverse("dashboards:home", kwargs={"org_slug": org_a.slug}) in html
    assert reverse("dashboards:home", kwargs={"org_slug": other.slug}) in html


def test_the_brand_link_takes_a_pm_home(org_a, implementation_pm, client):
    client.force_login(implementation_pm.user)
    my_tasks = reverse("transition:my-tasks", kwargs={"org_slug": org_a.slug})
    home = reverse("dashboards:home", kwargs={"org_slug": org_a.slug})

    html = client.get(my_tasks).content.decode()

    assert f'<a href="{home}" class="brand">' in html


def test_my_tasks_does_not_exist_for_a_client_executive(org_a, client_executive, client):
    client.force_login(client_executive.user)

    response = client.get(reverse("transition:my-tasks", kwargs={"org_slug": org_a.slug}))

    assert response.status_code == 404
