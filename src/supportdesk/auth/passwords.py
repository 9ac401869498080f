"""Password hashing (argon2 through passlib's API), run off the event loop."""

from __future__ import annotations

from anyio import to_thread
from passlib.context import CryptContext

_context = CryptContext(schemes=["argon2"], deprecated="auto")

# Verified against when the e-mail is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH = _context.hash("supportdesk-timing-equaliser")

MIN_PASSWORD_LENGTH = 8


async def hash_password(password: str) -> str:
    # argon2 takes ~100 ms of CPU: in a thread, so other requests keep being served.
    result: str = await to_thread.run_sync(_context.hash, password)
    return result


async def verify_password(password: str, password_hash: str | None) -> bool:
    ok: bool = await to_thread.run_sync(_context.verify, password, password_hash or _DUMMY_HASH)
    return ok and password_hash is not None
