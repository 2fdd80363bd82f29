from __future__ import annotations

from accounts.models import ApiToken


def membership(request):
    """The current organization and the user's other organizations, for the navigation."""
    match = getattr(request, "resolver_match", None)
    org_slug = match.kwargs.get("org_slug") if match else None
    user = getattr(request, "user", None)
    if not org_slug or user is None or not user.is_authenticated:
        return {}
    # The scoped view already resolved the membership; reuse its object when it is there.
    return {"nav_org_slug": org_slug, "has_api_token": _has_api_token(user, org_slug)}


def _has_api_token(user, org_slug: str):
    """For the navigation: does the user hold an active token in this organization? A
    template calls it (one query) only when it needs it, i.e. for a client executive, who
    creates no tokens and sees 'API tokens' only while they hold one. (The access policy's
    scope of a token is the same: its organization, its owner.)"""

    def ask() -> bool:
        return ApiToken.objects.filter(
            organization__slug=org_slug, user=user, revoked_at__isnull=True
        ).exists()

    return ask
