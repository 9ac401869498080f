"""API keys and secrets: generated with a readable prefix, stored only as SHA-256 digests."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from supportdesk.core.enums import ApiKeyType

AGENT_OR_INTERNAL_PREFIX = "sdk_"
PROJECT_KEY_PREFIX = "sk_"
PROJECT_SECRET_PREFIX = "ss_"
KEY_BYTES = 32
DISPLAY_PREFIX_LENGTH = 12


def generate_key(key_type: ApiKeyType) -> str:
    prefix = PROJECT_KEY_PREFIX if key_type is ApiKeyType.PROJECT else AGENT_OR_INTERNAL_PREFIX
    return prefix + secrets.token_urlsafe(KEY_BYTES)


def generate_secret() -> str:
    return PROJECT_SECRET_PREFIX + secrets.token_urlsafe(KEY_BYTES * 2)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def matches(raw: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(raw), stored_digest)


def display_prefix(raw: str) -> str:
    """The part of a key that may be shown again, to tell keys apart in lists."""
    return raw[:DISPLAY_PREFIX_LENGTH]


def looks_like_api_key(value: str) -> bool:
    """Tell an API key sent as a Bearer value from a JWT (which starts ``eyJ``)."""
    return value.startswith((AGENT_OR_INTERNAL_PREFIX, PROJECT_KEY_PREFIX))
