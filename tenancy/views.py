"""The scoped base for pages: the organization is resolved once from the URL, the member's
membership is checked, and querysets come from the access policy. Subclasses declare
`model` or `queryset`; they never filter by tenant themselves."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tenancy import access, generation, rls
from tenancy.access import Action
from tenancy.audit import Actor
from tenancy.models import TenantModel
from tenancy.rest import NOT_FOUND


def membership_for(user, org_slug: str):
    """The user's membership in the organization named by the slug, or 404 (same message
    whether the organization does not exist or the user is not a member)."""
    from tenancy.models import Membership

    if not user.is_authenticated:
        raise Http404(NOT_FOUND)
    # Read with the user by the authentication backend (accounts.backends): no query here.
    loaded = getattr(user, "loaded_memberships", None)
    if loaded is not None:
        membership = next(
            (m for m in loaded if m.organization.slug == org_slug and user.is_active), None
        )
    else:
        membership = (
            Membership.objects.select_related("organization", "user", "client")
            .filter(organization__slug=org_slug, user=user, user__is_active=True)
            .first()
        )
    if membership is None:
        raise Http404(NOT_FOUND)
    # One organization at a time: a person's scope (all their organizations) narrows to this
    # one for the rest of the request (row-level security, tenancy/rls.py). An API key's
    # scope is already its own organization's.
    if rls.current().organizations is None:
        rls.narrow(rls.Scope.of([membership.organization_id], membership.user_id))
    return membership


class OrgScopedMixin(LoginRequiredMixin):
    """Resolves `org_slug` to `self.organization` and `self.membership` before any handler."""

    required_action: Action | None = None  # checked against the organization (not an object)
    # A page for the provider's staff only: to the client's executives it does not exist (404,
    # like any page they may not see), rather than a 403 that says it is there.
    provider_only: bool = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.membership = membership_for(request.user, kwargs["org_slug"])
        self.organization = self.membership.organization
        # Remembered for the organization picker; written only when it changes, so that a
        # page view does not cost a session save.
        if request.session.get("current_org") != self.organization.slug:
            request.session["current_org"] = self.organization.slug
        if self.provider_only and not self.membership.is_provider:
            raise Http404(NOT_FOUND)
        if self.required_action and not access.can(self.membership, self.required_action):
            raise PermissionDenied("Your role does not allow this.")
        # Times on the organization's pages read in the organization's time zone.
        with timezone.override(self.organization.time_zone):
            self.setup_scope()
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

    def remember[T](self, parts: tuple, compute: Callable[[], T]) -> T:
        """`compute()`, remembered for this member until the next write to the organization's
        data, within the minute (`tenancy.generation`): for what a page computes from many
        rows, kept as the HTML it is shown as. `parts` name what else it depends on (the
        object, the filters). Never for what records who saw it (HR data)."""
        return generation.remember(
            self.organization.pk,
            (
                *parts,
                self.membership.pk,
                self.membership.role,
                self.membership.user_id,
                self.organization.slug,
                generation.this_minute(),
            ),
            compute,
        )

    def setup_scope(self) -> None:
        """Resolve what else the URL names, once the membership is known (a hook)."""

    @property
    def actor(self) -> Actor:
        return Actor.from_request(self.request, self.membership)

    def get_base_queryset(self):
        queryset = getattr(self, "queryset", None)
        if queryset is None:
            model = getattr(self, "model", None)
            if model is None:
                raise ImproperlyConfigured(f"{type(self).__name__} declares no model or queryset.")
            queryset = model._default_manager.all()
        if not issubclass(queryset.model, TenantModel):
            raise ImproperlyConfigured(
                f"{queryset.model.__name__} is not tenant-owned; it cannot be served scoped."
            )
        return queryset.all()

    def get_queryset(self):
        return access.visible(self.membership, self.get_base_queryset())

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        try:
            return get_object_or_404(queryset, pk=int(self.kwargs["pk"]))
        except (ValueError, TypeError) as error:
            raise Http404(NOT_FOUND) from error

    def require(self, action: Action, obj=None) -> None:
        """Visible but not allowed: 403."""
        if not access.can(self.membership, action, obj):
            raise PermissionDenied("Your role does not allow this.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["organization"] = self.organization
        context["membership"] = self.membership
        return context
