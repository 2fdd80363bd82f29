"""Transition pages, mounted under /o/<org_slug>/ (config/urls.py).

A partnership's transition lives under `<partnership_pk>/transition/`; `pk` always names
the view's own model (the isolation walker relies on it). "My tasks" is per member, across
partnerships, at `my-tasks/`.
"""

from __future__ import annotations

from django.urls import path

from transition import views
from transition.views.people import PeopleAccessGrantView, PeopleAccessRevokeView

app_name = "transition"

P = "<int:partnership_pk>/transition/"

urlpatterns = [
    path("my-tasks/", views.MyTasksView.as_view(), name="my-tasks"),
    # The plan
    # Not `transition/` itself: that is partnerships:transition (the status change, POST).
    path(f"{P}plan/", views.PlanView.as_view(), name="plan"),
    path(f"{P}baseline/", views.PlanBaselineView.as_view(), name="plan-baseline"),
    path(f"{P}auto-schedule/", views.PlanAutoScheduleView.as_view(), name="plan-auto-schedule"),
    path(f"{P}save-as-template/", views.PlanSaveTemplateView.as_view(), name="plan-save-template"),
    path(f"{P}tasks/<int:pk>/", views.TaskView.as_view(), name="task"),
    # People
    path(f"{P}people/", views.PeopleView.as_view(), name="people"),
    path(f"{P}people/new/", views.StaffCreateView.as_view(), name="staff-create"),
    path(f"{P}people/import/", views.StaffImportView.as_view(), name="staff-import"),
    path(f"{P}people/<int:pk>/", views.StaffDetailView.as_view(), name="staff"),
    path(f"{P}people/<int:pk>/edit/", views.StaffUpdateView.as_view(), name="staff-update"),
    path(
        f"{P}people/<int:pk>/appoint-pm/",
        views.StaffAppointPmView.as_view(),
        name="staff-appoint-pm",
    ),
    path(f"{P}people/access/", PeopleAccessGrantView.as_view(), name="people-access-grant"),
    path(
        f"{P}people/access/<int:pk>/revoke/",
        PeopleAccessRevokeView.as_view(),
        name="people-access-revoke",
    ),
    path(f"{P}groups/new/", views.GroupCreateView.as_view(), name="group-create"),
    path(f"{P}groups/<int:pk>/", views.GroupView.as_view(), name="group"),
    # Knowledge capture
    path(f"{P}knowledge/", views.KnowledgeView.as_view(), name="knowledge"),
    path(
        f"{P}knowledge/<int:pk>/review/",
        views.KnowledgeStepView.as_view(step="review"),
        name="knowledge-review",
    ),
    path(
        f"{P}knowledge/<int:pk>/transfer/",
        views.KnowledgeStepView.as_view(step="transfer"),
        name="knowledge-transfer",
    ),
    # Communications plan
    path(f"{P}communications/", views.CommunicationsView.as_view(), name="communications"),
    path(
        f"{P}communications/<int:pk>/",
        views.CommunicationUpdateView.as_view(),
        name="communication-update",
    ),
    path(
        f"{P}communications/<int:pk>/sent/",
        views.CommunicationSentView.as_view(),
        name="communication-sent",
    ),
    # Go/no-go
    path(f"{P}readiness/", views.ReadinessView.as_view(), name="readiness"),
]
