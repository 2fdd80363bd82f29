"""What the partnership-scoped page base and API base share: how the partnership named by
the URL is resolved, and the flags both show (may change, may see internal fields).

A partnership is resolved once per request, through the access policy, with what the
permission checks read (its client, account manager and PMs) loaded in the same trip; it
answers 404 with the same message whether it is missing, another tenant's or not visible.
"""

from __future__ import annotations

from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from partnerships.models import Partnership
from tenancy import access
from tenancy.rest import NOT_FOUND
from tenancy.views import OrgScopedMixin


def pk_or_404(value) -> int:
    """A key from the URL or the query string; anything but a number is a missing row."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None


def partnership_for(membership, pk) -> Partnership:
    queryset = Partnership.objects.select_related("client", "account_manager")
    partnership = access.visible(membership, queryset).filter(pk=pk_or_404(pk)).first()
    if partnership is None:
        raise Http404(NOT_FOUND)
    partnership.organization = membership.organization  # already resolved from the URL
    return partnership


def object_in(queryset, partnership: Partnership, pk, *, select: tuple[str, ...] = ()):
    """The row `pk` of `queryset` (already scoped by the policy) inside `partnership`, or
    404. The row's `partnership` is the one already resolved, so checks reuse it."""
    queryset = queryset.filter(partnership=partnership, pk=pk_or_404(pk))
    if select:
        queryset = queryset.select_related(*select)
    obj = queryset.first()
    if obj is None:
        raise Http404(NOT_FOUND)
    obj.partnership = partnership
    return obj


class PartnershipPageMixin(OrgScopedMixin):
    """The base of every page under `/o/<org_slug>/<partnership_pk>/…`.

    Order of checks: the organization (OrgScopedMixin), the partnership and the object
    named by `pk` (both 404 when not visible), then `object_action` on the object or the
    partnership (403, saying `denied_message`). Subclasses declare `model` or `queryset`;
    the flags `can_change` (the partnership's work) and `can_see_internal` reach every
    template. `url_namespace` names the app whose routes `url()` reverses.
    """

    object_action: access.Action | None = access.Action.VIEW
    object_select: tuple[str, ...] = ()
    denied_message = "Your role does not allow this."
    url_namespace = ""
    tab = ""
    section = ""

    def setup_scope(self) -> None:
        super().setup_scope()
        self.partnership = partnership_for(self.membership, self.kwargs["partnership_pk"])
        self.object = (
            object_in(
                self.get_queryset(), self.partnership, self.kwargs["pk"], select=self.object_select
            )
            if "pk" in self.kwargs
            else None
        )
        if self.object_action is not None:
            self.require(self.object_action, self.object or self.partnership)

    def require(self, action: access.Action, obj=None) -> None:
        """Visible but not allowed: 403 (about the partnership unless given an object)."""
        if not access.can(self.membership, action, self.partnership if obj is None else obj):
            raise PermissionDenied(self.denied_message)

    def get_object(self, queryset=None):
        return self.object

    def visible(self, model):
        """`model`'s rows of this partnership that the member sees."""
        return access.visible(self.membership, model).filter(partnership=self.partnership)

    @cached_property
    def can_change(self) -> bool:
        """May the member change this partnership's work (the templates' one name for it)?"""
        return access.can(self.membership, access.Action.CHANGE_WORK, self.partnership)

    @cached_property
    def can_see_internal(self) -> bool:
        return access.can_see_internal(self.membership)

    @cached_property
    def today(self):
        return self.organization.local_today()

    def url(self, name: str, **kwargs) -> str:
        """A route of this app under the same organization and partnership."""
        scope = {"org_slug": self.organization.slug, "partnership_pk": self.partnership.pk}
        return reverse(f"{self.url_namespace}:{name}", kwargs=scope | kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("nav", "partnerships")
        context.update(
            tab=self.tab,
            section=self.section,
            partnership=self.partnership,
            can_change=self.can_change,
            can_see_internal=self.can_see_internal,
        )
        return context
