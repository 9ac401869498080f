"""OpenAPI additions of the external API's operations, which all take the key pair."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from supportdesk.api.bodies import json_body
from supportdesk.api.project.deps import KEY_PAIR_SECURITY


def operation(model: type[BaseModel] | None = None) -> dict[str, Any]:
    """The key pair, and the JSON body of ``model`` if the operation takes one."""
    extra: dict[str, Any] = dict(KEY_PAIR_SECURITY)
    if model is not None:
        extra.update(json_body(model))
    return extra
