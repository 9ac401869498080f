"""API keys and secrets: readable prefixes, enough randomness, stored only as digests."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import timedelta

import pytest

from supportdesk.auth import keys
from supportdesk.auth.tokens import issue_token
from supportdesk.core.enums import ApiKeyType, Role


def _random_bytes(raw: str, prefix: str) -> bytes:
    body = raw.removeprefix(prefix)
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))


@pytest.mark.parametrize("key_type", [ApiKeyType.INTERNAL, ApiKeyType.EXTERNAL])
async def test_internal_and_external_keys_start_with_sdk(key_type: ApiKeyType) -> None:
    assert keys.generate_key(key_type).startswith("sdk_")


async def test_project_keys_start_with_sk() -> None:
    assert keys.generate_key(ApiKeyType.PROJECT).startswith("sk_")


async def test_project_secrets_start_with_ss() -> None:
    assert keys.generate_secret().startswith("ss_")


@pytest.mark.parametrize(
    ("key_type", "prefix"),
    [(ApiKeyType.INTERNAL, "sdk_"), (ApiKeyType.EXTERNAL, "sdk_"), (ApiKeyType.PROJECT, "sk_")],
)
async def test_a_key_carries_at_least_32_random_bytes(key_type: ApiKeyType, prefix: str) -> None:
    assert len(_random_bytes(keys.generate_key(key_type), prefix)) >= 32


async def test_a_secret_carries_at_least_32_random_bytes() -> None:
    assert len(_random_bytes(keys.generate_secret(), "ss_")) >= 32


async def test_keys_and_secrets_are_never_repeated() -> None:
    generated = {keys.generate_key(ApiKeyType.INTERNAL) for _ in range(200)}
    generated |= {keys.generate_secret() for _ in range(200)}

    assert len(generated) == 400


async def test_the_digest_is_the_sha256_hex_of_the_raw_value() -> None:
    raw = keys.generate_key(ApiKeyType.INTERNAL)

    stored = keys.digest(raw)

    assert re.fullmatch(r"[0-9a-f]{64}", stored)
    assert stored == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in stored


async def test_a_raw_key_matches_its_digest() -> None:
    raw = keys.generate_key(ApiKeyType.PROJECT)

    assert keys.matches(raw, keys.digest(raw)) is True


async def test_another_key_does_not_match_the_digest() -> None:
    raw = keys.generate_key(ApiKeyType.PROJECT)
    other = keys.generate_key(ApiKeyType.PROJECT)

    assert keys.matches(other, keys.digest(raw)) is False


async def test_a_key_differing_in_one_character_does_not_match() -> None:
    raw = keys.generate_key(ApiKeyType.INTERNAL)
    altered = raw[:-1] + ("A" if raw[-1] != "A" else "B")

    assert keys.matches(altered, keys.digest(raw)) is False


@pytest.mark.parametrize(
    "value",
    [
        keys.generate_key(ApiKeyType.INTERNAL),
        keys.generate_key(ApiKeyType.EXTERNAL),
        keys.generate_key(ApiKeyType.PROJECT),
    ],
)
async def test_generated_keys_look_like_api_keys(value: str) -> None:
    assert keys.looks_like_api_key(value) is True


async def test_a_jwt_does_not_look_like_an_api_key() -> None:
    token = issue_token(1, Role.ADMIN, secret="s" * 40, ttl=timedelta(minutes=5)).token

    assert keys.looks_like_api_key(token) is False


@pytest.mark.parametrize("value", ["", "abc", "ss_secret", "SDK_upper", "xsdk_", "Bearer sdk_x"])
async def test_other_values_do_not_look_like_api_keys(value: str) -> None:
    assert keys.looks_like_api_key(value) is False
