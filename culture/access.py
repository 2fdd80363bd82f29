"""Culture's place in the access policy (registered from `CultureConfig.ready()`).

Every culture row belongs to a partnership and is seen by whoever sees the partnership;
what a member may change is decided by `access.can()`: CHANGE_WORK for editing culture,
CLIENT_APPROVAL for signing off physician preferences (the client's executives, or an admin
recording a sign-off given outside the app).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenancy import access

if TYPE_CHECKING:
    pass


def register_scopes() -> None:
    from culture import models

    for model in (
        models.CultureProfile,
        models.PhysicianPreference,
        models.PhysicianPreferenceVersion,
        models.CallerPopulation,
        models.CallerPopulationLanguage,
        models.Adaptation,
        models.Nurse,
        models.NurseTraining,
        models.SatisfactionResult,
    ):
        access.register(model, via="partnership")
