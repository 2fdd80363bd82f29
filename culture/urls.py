"""Pages of a partnership's culture, mounted by config/urls.py under /o/<org_slug>/.

Every route names the partnership `partnership_pk` and its own object `pk` (the isolation
walker fills them from the view's `model`).
"""

from __future__ import annotations

from django.urls import path

from culture import views

app_name = "culture"

P = "<int:partnership_pk>/culture/"

urlpatterns = [
    path(P, views.CultureOverviewView.as_view(), name="overview"),
    path(f"{P}profile/edit/", views.CultureProfileUpdateView.as_view(), name="profile-update"),
    path(f"{P}briefing/", views.BriefingView.as_view(), name="briefing"),
    # Caller populations
    path(f"{P}populations/new/", views.PopulationCreateView.as_view(), name="population-create"),
    path(
        f"{P}populations/<int:pk>/edit/",
        views.PopulationUpdateView.as_view(),
        name="population-update",
    ),
    path(
        f"{P}populations/<int:pk>/delete/",
        views.PopulationDeleteView.as_view(),
        name="population-delete",
    ),
    # Adaptations
    path(f"{P}adaptations/", views.AdaptationListView.as_view(), name="adaptations"),
    path(f"{P}adaptations/new/", views.AdaptationCreateView.as_view(), name="adaptation-create"),
    path(
        f"{P}adaptations/<int:pk>/edit/",
        views.AdaptationUpdateView.as_view(),
        name="adaptation-update",
    ),
    path(
        f"{P}adaptations/<int:pk>/delete/",
        views.AdaptationDeleteView.as_view(),
        name="adaptation-delete",
    ),
    # Nurse team
    path(f"{P}team/", views.NurseListView.as_view(), name="team"),
    path(f"{P}team/new/", views.NurseCreateView.as_view(), name="nurse-create"),
    path(f"{P}team/<int:pk>/edit/", views.NurseUpdateView.as_view(), name="nurse-update"),
    path(f"{P}team/<int:pk>/delete/", views.NurseDeleteView.as_view(), name="nurse-delete"),
    # Physician preferences
    path(f"{P}physicians/new/", views.PreferenceCreateView.as_view(), name="preference-create"),
    path(
        f"{P}physicians/<int:pk>/", views.PreferenceDetailView.as_view(), name="preference-detail"
    ),
    path(
        f"{P}physicians/<int:pk>/edit/",
        views.PreferenceUpdateView.as_view(),
        name="preference-update",
    ),
    path(
        f"{P}physicians/<int:pk>/sign-off/",
        views.PreferenceSignOffView.as_view(),
        name="preference-sign-off",
    ),
    # Satisfaction
    path(f"{P}satisfaction/", views.SatisfactionListView.as_view(), name="satisfaction"),
    path(
        f"{P}satisfaction/new/",
        views.SatisfactionCreateView.as_view(),
        name="satisfaction-create",
    ),
    path(
        f"{P}satisfaction/import/",
        views.SatisfactionImportView.as_view(),
        name="satisfaction-import",
    ),
    path(
        f"{P}satisfaction/<int:pk>/edit/",
        views.SatisfactionUpdateView.as_view(),
        name="satisfaction-update",
    ),
    path(
        f"{P}satisfaction/<int:pk>/delete/",
        views.SatisfactionDeleteView.as_view(),
        name="satisfaction-delete",
    ),
]
