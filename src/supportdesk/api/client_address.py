"""Who is on the other end of a request: the one place the client address is read.

It counts requests against rate limits, checks a project key's allowed addresses and is
kept in the activity trail, so it must not be whatever a client writes in a header.
Without trusted proxies (``trusted_proxies`` in config.py) it is the socket peer, and
X-Forwarded-For is ignored. When the peer is a trusted proxy, the client is the
right-most address of X-Forwarded-For that no trusted proxy holds: every address to its
right was appended by a trusted proxy, everything to its left came from the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.types import Scope

from supportdesk.config import ProxyNetwork

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_address(scope: Scope, trusted_proxies: Sequence[ProxyNetwork]) -> str | None:
    """The client's address (None when the server was not told the peer)."""
    client = scope.get("client")
    peer: str | None = str(client[0]) if client else None
    if peer is None or not trusted_proxies:
        return peer
    peer_address = _parse(peer)
    if peer_address is None or not _trusted(peer_address, trusted_proxies):
        return peer
    address: IPAddress = peer_address
    for hop in reversed(_forwarded_for(scope)):
        parsed = _parse(hop)
        if parsed is None:
            # Not an address a proxy appends: written by the client, so the last
            # trusted hop is as near to the client as can be told.
            break
        address = parsed
        if not _trusted(parsed, trusted_proxies):
            break
    return str(address)


def _forwarded_for(scope: Scope) -> list[str]:
    """Every X-Forwarded-For hop, left to right, over all such headers in order."""
    values = Headers(scope=scope).getlist("x-forwarded-for")
    return [hop.strip() for value in values for hop in value.split(",") if hop.strip()]


def _parse(value: str) -> IPAddress | None:
    """An address, also as proxies sometimes write it: with a port, IPv6 in brackets."""
    host = value
    if host.startswith("["):
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    # An IPv4 client reaching an IPv6 socket is the IPv4 address it is.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress, trusted_proxies: Sequence[ProxyNetwork]) -> bool:
    return any(address in network for network in trusted_proxies)
