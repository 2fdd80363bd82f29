"""Background jobs (`tenancy.models.Job`): the page that follows one (`/o/<slug>/jobs/<pk>/`,
polled every second while it runs, the asker's only), and the titles the apps give their
kinds (`register_kind`, from their `AppConfig.ready()`)."""

from __future__ import annotations

from django.urls import path
from django.views.generic import TemplateView

from tenancy.models import Job
from tenancy.views import OrgScopedMixin

_TITLES: dict[str, str] = {}


def register_kind(kind: str, title: str) -> None:
    _TITLES[kind] = title


def title_of(kind: str) -> str:
    return _TITLES.get(kind, "Background work")


class JobView(OrgScopedMixin, TemplateView):
    """A job's progress, then its result (or why it failed). It survives a reload: the job is
    a row."""

    template_name = "jobs/job.html"
    model = Job

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = context["job"] = self.get_object()
        context["title"] = title_of(job.kind)
        return context

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["jobs/_status.html"]
        return [self.template_name]


app_name = "jobs"
urlpatterns = [path("jobs/<int:pk>/", JobView.as_view(), name="job")]
