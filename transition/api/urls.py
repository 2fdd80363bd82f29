"""Transition routes, mounted by config/api_urls.py under `orgs/<slug:org_slug>/`
(namespace "api").

- /api/v1/orgs/<org_slug>/my-tasks/ and templates/
- /api/v1/orgs/<org_slug>/partnerships/<partnership_pk>/plan/, tasks/, readiness/, staff/,
  groups/ (and groups/sentiment/), people-access/, knowledge/, communications/
- /api/v1/orgs/<org_slug>/partnerships/<partnership_pk>/staff/<staff_pk>/check-ins/
"""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from transition.api.people_views import (
    CheckInViewSet,
    CommunicationViewSet,
    KnowledgeViewSet,
    PeopleAccessViewSet,
    StaffViewSet,
    StakeholderGroupViewSet,
)
from transition.api.plan_views import (
    MyTasksViewSet,
    PlanViewSet,
    ReadinessViewSet,
    TaskViewSet,
    TemplateViewSet,
)

org_router = SimpleRouter()
org_router.register("my-tasks", MyTasksViewSet, basename="transition-my-tasks")
org_router.register("templates", TemplateViewSet, basename="transition-template")

partnership_router = SimpleRouter()
partnership_router.register("plan", PlanViewSet, basename="transition-plan")
partnership_router.register("tasks", TaskViewSet, basename="transition-task")
partnership_router.register("readiness", ReadinessViewSet, basename="transition-readiness")
partnership_router.register("staff", StaffViewSet, basename="transition-staff")
partnership_router.register("groups", StakeholderGroupViewSet, basename="transition-group")
partnership_router.register(
    "people-access", PeopleAccessViewSet, basename="transition-people-access"
)
partnership_router.register("knowledge", KnowledgeViewSet, basename="transition-knowledge")
partnership_router.register(
    "communications", CommunicationViewSet, basename="transition-communication"
)

staff_router = SimpleRouter()
staff_router.register("check-ins", CheckInViewSet, basename="transition-check-in")

urlpatterns = [
    *org_router.urls,
    path("partnerships/<int:partnership_pk>/", include(partnership_router.urls)),
    path(
        "partnerships/<int:partnership_pk>/staff/<int:staff_pk>/",
        include(staff_router.urls),
    ),
]
