"""Where webhooks may go: public addresses only, unless the host is allowed."""

from __future__ import annotations

import ipaddress

import pytest

from supportdesk.config import Settings
from supportdesk.services.webhook_addresses import is_forbidden, url_problem


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - an address to refuse, not to bind
        "224.0.0.251",
        "239.1.2.3",
        "::1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
    ],
)
def test_a_loopback_private_link_local_or_multicast_address_is_forbidden(address: str) -> None:
    assert is_forbidden(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_a_public_address_is_allowed(address: str) -> None:
    assert not is_forbidden(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://hooks.example.com/", "The url must start with https://."),
        ("https://user:pw@hooks.example.com/", "The url may not contain a user name or password."),
        ("https://hooks.example.com/a\nb", "The url is not a valid URL."),
        ("https:///no-host", "The url is not a valid URL."),
        ("https://[::1]/", "The url must point to a public address."),
        ("https://app.localhost/", "The url must point to a public address."),
        ("https://hooks.example.com:99999/", "The url is not a valid URL."),
    ],
)
def test_a_url_webhooks_cannot_use_is_refused_saying_why(url: str, problem: str) -> None:
    assert url_problem(url, Settings(_env_file=None)) == problem  # type: ignore[call-arg]


def test_an_allowed_host_may_be_a_local_address() -> None:
    settings = Settings(
        webhook_allow_http=True,
        webhook_allowed_hosts="127.0.0.1, Receiver.Internal",  # type: ignore[arg-type]
        _env_file=None,  # type: ignore[call-arg]
    )

    assert url_problem("http://127.0.0.1:8080/hook", settings) is None
    assert settings.webhook_allowed_hosts == ("127.0.0.1", "receiver.internal")


def test_http_is_accepted_only_when_allowed() -> None:
    settings = Settings(webhook_allow_http=True, _env_file=None)  # type: ignore[call-arg]

    assert url_problem("http://hooks.example.com/", settings) is None
