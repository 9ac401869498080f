"""JWT access tokens: what issue_token signs and what decode_token lets through."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import pytest
from jose import jwt

from supportdesk.auth.tokens import decode_token, issue_token
from supportdesk.core.enums import Role
from supportdesk.core.errors import Unauthenticated
from tests.support import FrozenClock

SECRET = "a-secret-that-is-long-enough-for-hs256-signatures"
OTHER_SECRET = "another-secret-that-is-long-enough-for-hs256-too"
TTL = timedelta(minutes=60)
REFRESH_WINDOW = timedelta(days=14)


def _claims(clock: FrozenClock, **overrides: Any) -> dict[str, Any]:
    issued_at = int(clock.now().timestamp())
    claims: dict[str, Any] = {
        "sub": "7",
        "role": "agent",
        "jti": "0123456789abcdef0123456789abcdef",
        "iat": issued_at,
        "exp": issued_at + int(TTL.total_seconds()),
    }
    claims.update(overrides)
    return claims


def _b64url(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


async def test_a_decoded_token_gives_back_the_claims_it_was_issued_with(
    frozen_clock: FrozenClock,
) -> None:
    issued = issue_token(7, Role.AGENT, secret=SECRET, ttl=TTL)

    claims = decode_token(issued.token, secret=SECRET)

    assert claims == issued.claims
    assert claims.user_id == 7
    assert claims.role is Role.AGENT
    assert claims.issued_at == frozen_clock.now()
    assert claims.expires_at == frozen_clock.now() + TTL
    assert issued.expires_in == 3600


async def test_a_token_keeps_its_issue_time_to_the_microsecond(
    frozen_clock: FrozenClock,
) -> None:
    # Whole seconds would not tell a token issued just before a password change from one
    # issued just after it.
    issued_at = frozen_clock.advance(microseconds=123_457)
    issued = issue_token(7, Role.AGENT, secret=SECRET, ttl=TTL)

    claims = decode_token(issued.token, secret=SECRET)

    assert claims.issued_at == issued_at
    assert claims.expires_at == issued_at + TTL
    assert issued.expires_in == 3600


@pytest.mark.parametrize("value", ["1772442000", True, None, [1]])
async def test_an_issue_time_that_is_not_a_number_is_rejected(
    frozen_clock: FrozenClock, value: object
) -> None:
    token = jwt.encode(_claims(frozen_clock, iat=value), SECRET, algorithm="HS256")

    with pytest.raises(Unauthenticated):
        decode_token(token, secret=SECRET)


async def test_every_token_gets_its_own_id(frozen_clock: FrozenClock) -> None:
    first = issue_token(7, Role.AGENT, secret=SECRET, ttl=TTL)
    second = issue_token(7, Role.AGENT, secret=SECRET, ttl=TTL)

    assert first.claims.jti != second.claims.jti


async def test_a_token_is_signed_with_hs256(frozen_clock: FrozenClock) -> None:
    issued = issue_token(7, Role.AGENT, secret=SECRET, ttl=TTL)

    assert jwt.get_unverified_header(issued.token)["alg"] == "HS256"


@pytest.mark.parametrize("claim", ["sub", "role", "jti", "iat", "exp"])
async def test_a_token_missing_a_required_claim_is_rejected(
    frozen_clock: FrozenClock, claim: str
) -> None:
    payload = _claims(frozen_clock)
    del payload[claim]
    token = jwt.encode(payload, SECRET, algorithm="HS256")

    with pytest.raises(Unauthenticated):
        decode_token(token, secret=SECRET)


@pytest.mark.parametrize(
    ("claim", "value"),
    [("sub", "not-a-number"), ("role", "owner"), ("sub", ""), ("jti", "")],
)
async def test_a_token_with_an_invalid_claim_value_is_rejected(
    frozen_clock: FrozenClock, claim: str, value: str
) -> None:
    token = jwt.encode(_claims(frozen_clock, **{claim: value}), SECRET, algorithm="HS256")

    with pytest.raises(Unauthenticated):
        decode_token(token, secret=SECRET)


async def test_a_token_signed_with_another_secret_is_rejected(frozen_clock: FrozenClock) -> None:
    issued = issue_token(7, Role.AGENT, secret=OTHER_SECRET, ttl=TTL)

    with pytest.raises(Unauthenticated):
        decode_token(issued.token, secret=SECRET)


async def test_a_token_with_a_tampered_payload_is_rejected(frozen_clock: FrozenClock) -> None:
    header, _, signature = issue_token(7, Role.CUSTOMER, secret=SECRET, ttl=TTL).token.split(".")
    forged = _b64url(_claims(frozen_clock, role="super_admin"))

    with pytest.raises(Unauthenticated):
        decode_token(f"{header}.{forged}.{signature}", secret=SECRET)


async def test_an_unsigned_alg_none_token_is_rejected(frozen_clock: FrozenClock) -> None:
    header = _b64url({"alg": "none", "typ": "JWT"})
    payload = _b64url(_claims(frozen_clock))

    with pytest.raises(Unauthenticated):
        decode_token(f"{header}.{payload}.", secret=SECRET)


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
async def test_a_token_signed_with_another_algorithm_is_rejected(
    frozen_clock: FrozenClock, algorithm: str
) -> None:
    token = jwt.encode(_claims(frozen_clock), SECRET, algorithm=algorithm)

    with pytest.raises(Unauthenticated):
        decode_token(token, secret=SECRET)


async def test_a_token_is_accepted_until_just_before_it_expires(
    frozen_clock: FrozenClock,
) -> None:
    issued = issue_token(7, Role.AGENT, secret=SECRET, ttl=TTL)
    frozen_clock.advance(minutes=59, seconds=59)

    assert decode_token(issued.token, secret=SECRET).jti == issued.claims.jti


async def test_an_expired_token_is_rejected(frozen_clock: FrozenClock) -> None:
    issued = issue_token(7, Role.AGENT, secret=SECRET, ttl=TTL)
    frozen_clock.advance(minutes=60)

    with pytest.raises(Unauthenticated):
        decode_token(issued.token, secret=SECRET)


async def test_the_refresh_window_accepts_an_expired_token(frozen_clock: FrozenClock) -> None:
    issued = issue_token(7, Role.AGENT, secret=SECRET, ttl=TTL)
    frozen_clock.advance(days=13, hours=23)

    claims = decode_token(issued.token, secret=SECRET, refresh_window=REFRESH_WINDOW)

    assert claims.jti == issued.claims.jti


async def test_the_refresh_window_rejects_a_token_once_it_has_passed(
    frozen_clock: FrozenClock,
) -> None:
    issued = issue_token(7, Role.AGENT, secret=SECRET, ttl=TTL)
    frozen_clock.advance(days=14)

    with pytest.raises(Unauthenticated):
        decode_token(issued.token, secret=SECRET, refresh_window=REFRESH_WINDOW)


async def test_the_refresh_window_still_checks_the_signature(frozen_clock: FrozenClock) -> None:
    issued = issue_token(7, Role.AGENT, secret=OTHER_SECRET, ttl=TTL)
    frozen_clock.advance(hours=2)

    with pytest.raises(Unauthenticated):
        decode_token(issued.token, secret=SECRET, refresh_window=REFRESH_WINDOW)


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b.c", "a.b", "a.b.c.d", "eyJhbGciOiJIUzI1NiJ9..", "...", "ey.ey.ey"],
)
async def test_a_malformed_token_is_rejected(token: str) -> None:
    with pytest.raises(Unauthenticated):
        decode_token(token, secret=SECRET)


async def test_a_payload_that_is_not_an_object_is_rejected() -> None:
    header = _b64url({"alg": "HS256", "typ": "JWT"})
    payload = base64.urlsafe_b64encode(b"[1, 2, 3]").rstrip(b"=").decode()
    signing_input = f"{header}.{payload}"
    signature = hmac.new(SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    encoded = base64.urlsafe_b64encode(signature).rstrip(b"=").decode()

    with pytest.raises(Unauthenticated):
        decode_token(f"{signing_input}.{encoded}", secret=SECRET)


async def test_a_token_used_before_is_still_refused_once_it_expires(
    frozen_clock: FrozenClock,
) -> None:
    issued = issue_token(7, Role.AGENT, secret=SECRET, ttl=TTL)
    decode_token(issued.token, secret=SECRET)
    frozen_clock.advance(minutes=60)

    with pytest.raises(Unauthenticated):
        decode_token(issued.token, secret=SECRET)


async def test_a_token_used_before_is_refused_under_another_secret(
    frozen_clock: FrozenClock,
) -> None:
    issued = issue_token(7, Role.AGENT, secret=SECRET, ttl=TTL)
    decode_token(issued.token, secret=SECRET)

    with pytest.raises(Unauthenticated):
        decode_token(issued.token, secret=OTHER_SECRET)


async def test_a_token_signature_is_verified_once_per_process(
    frozen_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = issue_token(7, Role.AGENT, secret=SECRET, ttl=TTL)
    verified = []
    real_decode = jwt.decode

    def counting_decode(*args: Any, **kwargs: Any) -> Any:
        verified.append(args[0])
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting_decode)
    for _ in range(3):
        decode_token(issued.token, secret=SECRET)

    assert verified == [issued.token]
