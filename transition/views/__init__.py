"""Pages for the transition of a partnership: the plan (phases, tasks, baseline, slip,
critical path, a Gantt view), a member's own tasks across partnerships, the people (roster,
notice check, knowledge coverage, sentiment, change readiness), knowledge capture, the
communications plan and the go/no-go readiness.

Every partnership page builds on `partnerships.base.PartnershipPageMixin` (through
`PartnershipMixin` in `base`): the organization and membership, then the partnership once
through the access policy (404 when it is not visible), then the object named by `pk` inside
that partnership (404 likewise). Reads go
through `transition.selectors`, writes only through `transition.services`; a service's error
is put back on the field it names. HR-sensitive fields are shown only to those the backend's
policy allows, and every page that shows them records the view.
"""

from transition.views.communications import (
    CommunicationSentView,
    CommunicationsView,
    CommunicationUpdateView,
)
from transition.views.knowledge import KnowledgeStepView, KnowledgeView
from transition.views.my_tasks import MyTasksView
from transition.views.people import (
    GroupCreateView,
    GroupView,
    PeopleView,
    StaffAppointPmView,
    StaffCreateView,
    StaffDetailView,
    StaffImportView,
    StaffUpdateView,
)
from transition.views.plan import (
    PlanAutoScheduleView,
    PlanBaselineView,
    PlanSaveTemplateView,
    PlanView,
    TaskView,
)
from transition.views.readiness import ReadinessView

__all__ = [
    "CommunicationSentView",
    "CommunicationUpdateView",
    "CommunicationsView",
    "GroupCreateView",
    "GroupView",
    "KnowledgeStepView",
    "KnowledgeView",
    "MyTasksView",
    "PeopleView",
    "PlanAutoScheduleView",
    "PlanBaselineView",
    "PlanSaveTemplateView",
    "PlanView",
    "ReadinessView",
    "StaffAppointPmView",
    "StaffCreateView",
    "StaffDetailView",
    "StaffImportView",
    "StaffUpdateView",
    "TaskView",
]
