"""Writes for a partnership's culture. Keyword-only, atomic, validated, audited; each takes
the actor and checks the access policy itself, so pages, the API, imports and the demo data
share one set of rules.

Who may write (DESIGN.md, "Who uses it"):
- culture (profile, populations, adaptations, nurse team, physician preferences,
  satisfaction results) is provider work: admin, the partnership's account manager and its
  implementation PMs (`Action.CHANGE_WORK`);
- a physician preference version is signed off by a client executive of the partnership's
  client (or an admin): it is the client's word on how its physicians want things done
  (`Action.CLIENT_APPROVAL`).

What each row lets callers write is its model's `EDITABLE_FIELDS`, the list the forms and
the API serializers use too.
"""

from culture.services.adaptations import adaptation_create, adaptation_delete, adaptation_update
from culture.services.nurses import nurse_create, nurse_delete, nurse_update
from culture.services.populations import (
    caller_population_create,
    caller_population_delete,
    caller_population_update,
)
from culture.services.preferences import (
    physician_preference_create,
    physician_preference_sign_off,
    physician_preference_update,
    physician_preference_version_create,
)
from culture.services.profile import culture_profile_get, culture_profile_update
from culture.services.satisfaction import (
    satisfaction_result_create,
    satisfaction_result_delete,
    satisfaction_result_update,
)

__all__ = [
    "adaptation_create",
    "adaptation_delete",
    "adaptation_update",
    "caller_population_create",
    "caller_population_delete",
    "caller_population_update",
    "culture_profile_get",
    "culture_profile_update",
    "nurse_create",
    "nurse_delete",
    "nurse_update",
    "physician_preference_create",
    "physician_preference_sign_off",
    "physician_preference_update",
    "physician_preference_version_create",
    "satisfaction_result_create",
    "satisfaction_result_delete",
    "satisfaction_result_update",
]
