"""Culture's place in the access policy (registered from `CultureConfig.ready()`).

Every culture row belongs to a partnership and is seen by whoever sees the partnership;
what a member may change is decided by `access.can()` (CHANGE_WORK for editing culture).
Who signs off physician preferences is decided here, for the services and the pages alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenancy import access
from tenancy.models import Role

if TYPE_CHECKING:
    from django.db import models

    from tenancy.models import Membership


def can_sign_off_preferences(membership: Membership, obj: models.Model) -> bool:
    """Physician preferences are the client's word: the executives of the partnership's
    client sign them off (an admin may record a sign-off given outside the app). `obj` is
    the partnership or one of its preferences."""
    return membership.role in (Role.CLIENT_EXECUTIVE, Role.ADMIN) and access.can(
        membership, access.Action.SIGN_OFF, obj
    )


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
