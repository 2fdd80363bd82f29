"""The client's address, as the audit trail and the sign-in throttle record it.

`X-Forwarded-For` is written by whoever sends the request, so it is believed only as far as
it was appended by proxies we run: `TRUSTED_PROXIES` (addresses or networks, from the
environment). The direct peer (`REMOTE_ADDR`) is the client unless it is one of them; then
the header is read from the right, past every trusted proxy, and the first other address is
the client. Anything that is not an address is ignored. With no trusted proxy the header is
never read (a forged one changes nothing)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    peer = _address(request.META.get("REMOTE_ADDR", "") or "")
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if peer is None or not networks or not _trusted(peer, networks):
        return None if peer is None else str(peer)
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            continue
        if not _trusted(address, networks):
            return str(address)
    return str(peer)  # every hop is one of ours: the last proxy is as far as we can see
