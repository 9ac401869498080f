"""JWT access tokens. The only module that knows which JWT library SupportDesk uses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from jose import JWTError, jwt

from supportdesk.core import clock
from supportdesk.core.enums import Role
from supportdesk.core.errors import Unauthenticated

ALGORITHM = "HS256"
_REQUIRED_CLAIMS = ("sub", "role", "jti", "iat", "exp")


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: int
    role: Role
    jti: str
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    claims: TokenClaims

    @property
    def expires_in(self) -> int:
        return int((self.claims.expires_at - self.claims.issued_at).total_seconds())


def _numeric_date(moment: datetime) -> int | float:
    """Seconds since the epoch, to the microsecond (RFC 7519 allows a fraction).

    Whole seconds would not tell a token issued just before a password change from one
    issued just after it in the same second (see ``User.tokens_valid_after``). A float
    holds today's epoch to well under a microsecond, so the instant comes back exact.
    """
    return int(moment.timestamp()) if moment.microsecond == 0 else moment.timestamp()


def _instant(value: object) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("a NumericDate is a number")
    return datetime.fromtimestamp(value, UTC)


def issue_token(user_id: int, role: Role, *, secret: str, ttl: timedelta) -> IssuedToken:
    issued_at = clock.now()
    claims = TokenClaims(
        user_id=user_id,
        role=role,
        jti=uuid.uuid4().hex,
        issued_at=issued_at,
        expires_at=issued_at + ttl,
    )
    payload = {
        "sub": str(user_id),
        "role": str(role),
        "jti": claims.jti,
        "iat": _numeric_date(issued_at),
        "exp": _numeric_date(claims.expires_at),
    }
    return IssuedToken(token=jwt.encode(payload, secret, algorithm=ALGORITHM), claims=claims)


def decode_token(
    token: str, *, secret: str, refresh_window: timedelta | None = None
) -> TokenClaims:
    """Verify a token's signature and claims.

    Expiry is checked here against SupportDesk's clock rather than by the library, so
    tests can move time. With ``refresh_window``, an expired token is still accepted
    until that long after it was issued (for ``/auth/refresh``).
    """
    payload = _verified_payload(token, secret)
    if any(payload.get(claim) in (None, "") for claim in _REQUIRED_CLAIMS):
        raise Unauthenticated("Invalid token.")
    try:
        claims = TokenClaims(
            user_id=int(payload["sub"]),
            role=Role(payload["role"]),
            jti=str(payload["jti"]),
            issued_at=_instant(payload["iat"]),
            expires_at=_instant(payload["exp"]),
        )
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise Unauthenticated("Invalid token.") from exc

    now = clock.now()
    if refresh_window is None:
        if now >= claims.expires_at:
            raise Unauthenticated("Token has expired.")
    elif now >= claims.issued_at + refresh_window:
        raise Unauthenticated("Token can no longer be refreshed.")
    return claims


# A client sends the same token with every request: its signature is verified once per
# process (python-jose took some 0.3 ms a request, twice: rate limiter and authentication).
# Expiry and every other claim are still checked on each use.
@lru_cache(maxsize=4096)
def _verified_payload(token: str, secret: str) -> dict[str, Any]:
    try:
        # Pinning the algorithm rejects "alg: none" and any other algorithm outright.
        payload: dict[str, Any] = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"verify_exp": False}
        )
    except (JWTError, TypeError, ValueError) as exc:
        # The library's own claim checks raise TypeError for a non-numeric "iat".
        raise Unauthenticated("Invalid token.") from exc
    return payload
