"""Where webhooks may go: the URL rules at creation, the address rules at every delivery.

A URL is ``https`` (``http`` too when ``SUPPORTDESK_WEBHOOK_ALLOW_HTTP``). The address a
delivery connects to must be a public one — not loopback, private, link-local,
multicast or otherwise reserved — unless the URL's host is listed in
``SUPPORTDESK_WEBHOOK_ALLOWED_HOSTS``. The address is checked when the connection is
made, on every delivery, on the very address connected to: a name that resolved to a
public address at creation and to an internal one later is refused then.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from supportdesk.config import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL_LENGTH = 2048


class BlockedAddress(Exception):
    """A delivery's host resolves to an address webhooks may not reach."""


def is_forbidden(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    # is_global leaves out loopback, private, link-local, shared and reserved ranges;
    # some multicast ranges count as global, and are refused all the same.
    return not address.is_global or address.is_multicast


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def url_problem(url: str, settings: Settings) -> str | None:
    """Why ``url`` cannot receive webhooks, or None.

    Host names are not resolved here (their address is checked at every delivery); a
    literal address, or ``localhost``, is judged at once.
    """
    if len(url) > MAX_URL_LENGTH:
        return f"The url may not be longer than {MAX_URL_LENGTH} characters."
    try:
        parts = urlsplit(url)
        port = parts.port
        httpx.URL(url)  # what the sender will be given: refused now, not at every delivery
    except (ValueError, httpx.InvalidURL):
        return "The url is not a valid URL."
    schemes = ("https", "http") if settings.webhook_allow_http else ("https",)
    if parts.scheme not in schemes:
        allowed = " or ".join(f"{scheme}://" for scheme in schemes)
        return f"The url must start with {allowed}."
    host = (parts.hostname or "").lower()
    if not host or not url.isprintable() or " " in url:
        return "The url is not a valid URL."
    if parts.username is not None or parts.password is not None:
        return "The url may not contain a user name or password."
    if port == 0:
        return "The url is not a valid URL."
    if host in settings.webhook_allowed_hosts:
        return None
    literal = _literal(host)
    if (
        host == "localhost"
        or host.endswith(".localhost")
        or (literal is not None and is_forbidden(literal))
    ):
        return "The url must point to a public address."
    return None


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves the host itself, refuses forbidden addresses, connects to the one checked."""

    def __init__(self, allowed_hosts: Iterable[str]) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allowed = frozenset(allowed_hosts)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        async def connect(address: str) -> httpcore.AsyncNetworkStream:
            return await self._inner.connect_tcp(
                address,
                port,
                timeout=timeout,
                local_address=local_address,
                socket_options=socket_options,
            )

        if host.lower() in self._allowed:
            return await connect(host)
        loop = asyncio.get_running_loop()
        try:
            found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"{host} does not resolve: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
        for address in addresses:
            if is_forbidden(ipaddress.ip_address(address)):
                raise BlockedAddress(f"{host} resolves to {address}, which is not a public address")
        failure: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                return await connect(address)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress("webhooks are delivered over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_transport(settings: Settings) -> httpx.AsyncBaseTransport:
    """httpx's transport, connecting through the address guard; no proxy from the environment."""
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    # httpx builds its connection pool without a way to pass a network backend: the
    # pool is replaced by one built alike, with the guard as its backend.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=max(settings.webhook_concurrency, 10),
        max_keepalive_connections=max(settings.webhook_concurrency, 10),
        keepalive_expiry=5.0,
        network_backend=_GuardedBackend(settings.webhook_allowed_hosts),
    )
    return transport
