"""Organization-scoped API tokens: `Authorization: Token <key>`. Only a hash is stored.

A token stops working when revoked or past its expiry; a read-only token is refused any call
that would change something; a call from an address the token was not last used from is
written to the audit trail."""

from __future__ import annotations

from django.utils import formats, timezone
from rest_framework import authentication, exceptions
from rest_framework.permissions import SAFE_METHODS

from accounts.models import ApiToken
from tenancy import rls
from tenancy.audit import audit_event
from tenancy.clientip import client_ip


class ApiTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        if token.read_only and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(
                "This token is read-only: it may read (GET) but not change anything."
            )
        self.touch(request, token)
        return user, token

    def authenticate_credentials(self, key: str):
        with rls.system():  # the key names its organization: looked up across all of them
            token = (
                ApiToken.objects.select_related("user")
                .filter(key_hash=ApiToken.hash_key(key))
                .first()
            )
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        if token.is_expired:
            expired = formats.date_format(timezone.localtime(token.expires_at), "DATETIME_FORMAT")
            raise exceptions.AuthenticationFailed(f"This token expired on {expired}.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token's user is inactive.")
        # The request works in the token's organization only (row-level security).
        rls.narrow(rls.Scope.of([token.organization_id], token.user_id))
        return token.user, token

    @staticmethod
    def touch(request, token: ApiToken) -> None:
        """Last use, at most once a minute (no write per request on a busy integration), and
        the address: a new one is written at once, with an audit event saying from where."""
        now = timezone.now()
        address = client_ip(request)
        fields = {}
        if address and address != token.last_used_ip:
            fields["last_used_ip"] = address
            audit_event(
                organization_id=token.organization_id,
                actor_id=token.user_id,
                verb="api_token.new_address",
                target=token,
                changes={"address": [token.last_used_ip, address]},
                ip_address=address,
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        if fields or token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            fields["last_used_at"] = now
        if fields:
            ApiToken.objects.filter(pk=token.pk).update(**fields)
            for name, value in fields.items():
                setattr(token, name, value)
