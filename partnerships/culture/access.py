"""The culture models' place in the access policy (called from the bottom of
partnerships/access.py, so the whole table is built when the policy module loads).

Every culture row belongs to a partnership and is seen by whoever sees the partnership;
what a member may change is decided by `access.can()` (CHANGE_WORK for editing culture,
SIGN_OFF for physician preferences, see the services).
"""

from __future__ import annotations


def register_culture_scopes() -> None:
    from partnerships import access
    from partnerships.culture import models

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
