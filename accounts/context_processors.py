from __future__ import annotations


def membership(request):
    """The current organization and the user's other organizations, for the navigation."""
    match = getattr(request, "resolver_match", None)
    org_slug = match.kwargs.get("org_slug") if match else None
    user = getattr(request, "user", None)
    if not org_slug or user is None or not user.is_authenticated:
        return {}
    # The scoped view already resolved the membership; reuse its object when it is there.
    return {"nav_org_slug": org_slug}
