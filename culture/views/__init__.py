"""Culture pages (mounted by culture/urls.py): the Culture tab of a partnership, the forms
behind it, the adaptations, the nurse team, satisfaction results and the nurse briefing.
The scoped base is `culture.views.base.CultureView`."""

from __future__ import annotations

from culture.views.adaptations import (
    AdaptationCreateView,
    AdaptationDeleteView,
    AdaptationListView,
    AdaptationUpdateView,
)
from culture.views.briefing import BriefingView
from culture.views.nurses import NurseCreateView, NurseDeleteView, NurseListView, NurseUpdateView
from culture.views.overview import CultureOverviewView, CultureProfileUpdateView
from culture.views.populations import (
    PopulationCreateView,
    PopulationDeleteView,
    PopulationUpdateView,
)
from culture.views.preferences import (
    PreferenceCreateView,
    PreferenceDetailView,
    PreferenceSignOffView,
    PreferenceUpdateView,
)
from culture.views.satisfaction import (
    SatisfactionCreateView,
    SatisfactionDeleteView,
    SatisfactionImportView,
    SatisfactionListView,
    SatisfactionUpdateView,
)

__all__ = [
    "AdaptationCreateView",
    "AdaptationDeleteView",
    "AdaptationListView",
    "AdaptationUpdateView",
    "BriefingView",
    "CultureOverviewView",
    "CultureProfileUpdateView",
    "NurseCreateView",
    "NurseDeleteView",
    "NurseListView",
    "NurseUpdateView",
    "PopulationCreateView",
    "PopulationDeleteView",
    "PopulationUpdateView",
    "PreferenceCreateView",
    "PreferenceDetailView",
    "PreferenceSignOffView",
    "PreferenceUpdateView",
    "SatisfactionCreateView",
    "SatisfactionDeleteView",
    "SatisfactionImportView",
    "SatisfactionListView",
    "SatisfactionUpdateView",
]
