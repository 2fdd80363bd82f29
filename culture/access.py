"""Culture's place in the access policy (registered from `CultureConfig.ready()`).

Every culture row belongs to a partnership and is seen by whoever sees the partnership;
what a member may change is decided by `access.can()` (CHANGE_WORK for editing culture,
SIGN_OFF for physician preferences, see the services).
"""

from __future__ import annotations


def register_scopes() -> None:
    from culture import models
    from tenancy import access

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
