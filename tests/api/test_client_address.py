"""The client address of a request: the socket peer, unless that peer is a trusted proxy
(SUPPORTDESK_TRUSTED_PROXIES), then the right-most X-Forwarded-For hop no trusted proxy
holds."""

from __future__ import annotations

import ipaddress

import pytest
from pydantic import ValidationError
from starlette.types import Scope

from supportdesk.api.client_address import client_address
from supportdesk.config import ProxyNetwork, Settings

PROXIES: tuple[ProxyNetwork, ...] = (
    ipaddress.ip_network("10.0.0.1"),
    ipaddress.ip_network("172.16.0.0/12"),
    ipaddress.ip_network("fd00::/8"),
)


def _scope(peer: str | None, *forwarded_for: str) -> Scope:
    return {
        "type": "http",
        "client": (peer, 50000) if peer is not None else None,
        "headers": [(b"x-forwarded-for", value.encode()) for value in forwarded_for],
    }


def test_without_trusted_proxies_the_peer_is_the_client_whatever_it_forwards() -> None:
    assert client_address(_scope("10.0.0.1", "203.0.113.7"), ()) == "10.0.0.1"


def test_a_peer_that_is_no_trusted_proxy_is_the_client() -> None:
    assert client_address(_scope("198.51.100.9", "203.0.113.7"), PROXIES) == "198.51.100.9"


def test_behind_a_trusted_proxy_the_forwarded_client_is_the_client() -> None:
    assert client_address(_scope("10.0.0.1", "203.0.113.7"), PROXIES) == "203.0.113.7"


def test_addresses_the_client_wrote_left_of_its_own_are_ignored() -> None:
    scope = _scope("10.0.0.1", "1.2.3.4, 5.6.7.8, 203.0.113.7, 172.16.4.4")

    assert client_address(scope, PROXIES) == "203.0.113.7"


def test_every_x_forwarded_for_header_counts_in_order() -> None:
    scope = _scope("10.0.0.1", "1.2.3.4", "203.0.113.7, 172.16.4.4")

    assert client_address(scope, PROXIES) == "203.0.113.7"


def test_a_chain_of_trusted_proxies_only_gives_its_first_hop() -> None:
    assert client_address(_scope("10.0.0.1", "172.16.9.9, 172.16.4.4"), PROXIES) == "172.16.9.9"


def test_a_trusted_proxy_without_x_forwarded_for_is_the_client() -> None:
    assert client_address(_scope("10.0.0.1"), PROXIES) == "10.0.0.1"


def test_a_hop_that_is_no_address_stops_at_the_last_trusted_one() -> None:
    assert client_address(_scope("10.0.0.1", "203.0.113.7, nonsense"), PROXIES) == "10.0.0.1"


@pytest.mark.parametrize(
    ("hop", "client"),
    [
        ("203.0.113.7:4711", "203.0.113.7"),
        ("[2001:db8::7]:4711", "2001:db8::7"),
        ("2001:db8::7", "2001:db8::7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
    ],
)
def test_hops_are_read_in_the_forms_proxies_write(hop: str, client: str) -> None:
    assert client_address(_scope("10.0.0.1", hop), PROXIES) == client


def test_an_ipv6_proxy_is_trusted_by_its_network() -> None:
    assert client_address(_scope("fd00::1", "203.0.113.7"), PROXIES) == "203.0.113.7"


def test_no_peer_is_no_address() -> None:
    assert client_address(_scope(None, "203.0.113.7"), PROXIES) is None


def test_trusted_proxies_are_read_from_a_comma_separated_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUPPORTDESK_TRUSTED_PROXIES", "10.0.0.1, 172.16.0.0/12,fd00::/8")

    assert Settings(_env_file=None).trusted_proxies == PROXIES  # type: ignore[call-arg]


def test_no_trusted_proxies_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUPPORTDESK_TRUSTED_PROXIES", raising=False)

    assert Settings(_env_file=None).trusted_proxies == ()  # type: ignore[call-arg]


def test_a_trusted_proxy_that_is_no_address_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUPPORTDESK_TRUSTED_PROXIES", "10.0.0.1, proxy.internal")

    with pytest.raises(ValidationError, match=r"proxy\.internal"):
        Settings(_env_file=None)  # type: ignore[call-arg]
