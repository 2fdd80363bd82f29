"""The client's culture profile: one per partnership, created by its first save."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from culture.models import CultureProfile
from culture.services._common import lock_partnership
from partnerships.models import Partnership
from tenancy.access import Action, require
from tenancy.audit import Actor, audit_record, diff
from tenancy.services import check_fields, model_update


def culture_profile_get(*, partnership: Partnership) -> CultureProfile:
    """The partnership's profile, or an unsaved empty one: reading never creates a row."""
    profile = CultureProfile.objects.filter(
        organization_id=partnership.organization_id, partnership=partnership
    ).first()
    return profile or CultureProfile(
        organization_id=partnership.organization_id, partnership=partnership
    )


@transaction.atomic
def culture_profile_update(
    *, actor: Actor, partnership: Partnership, **fields: Any
) -> CultureProfile:
    """Create or change the partnership's one culture profile."""
    require(actor.membership, Action.CHANGE_WORK, partnership)
    check_fields(fields, CultureProfile.EDITABLE_FIELDS)
    lock_partnership(partnership)  # two first saves must not make two profiles
    profile = culture_profile_get(partnership=partnership)
    created = profile.pk is None
    changes = model_update(instance=profile, fields=fields, allowed=CultureProfile.EDITABLE_FIELDS)
    if created:
        # A new profile's record lists what was written, not what it differs from.
        changes = diff({}, {name: getattr(profile, name) for name in fields})
    if created or changes:
        audit_record(
            actor=actor,
            verb="culture_profile.created" if created else "culture_profile.updated",
            target=profile,
            changes=changes,
            partnership=partnership,
        )
    return profile
