"""Before the twins are measured: do they answer what the product answers?

The same requests go to the product and to its twin, and the parsed JSON must be equal.
Strings that are ISO 8601 timestamps are compared as instants (so "…:00Z" equals
"…:00+00:00" or "…:00.000000Z"), and an SLA clock's seconds left, counted at the moment
of each answer, may differ by a few seconds. A created ticket differs in its id,
number and times, so the twin's answer to a create is compared with the product's
reading of the ticket the twin created, field by field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
from scenarios import Credentials, Fixtures, create_body

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
ATTEMPTS = 3  # background jobs may change a ticket between the two reads
SHOWN_DIFFERENCES = 10
COUNTDOWN_TOLERANCE = 5  # seconds


class TwinMismatch(Exception):
    pass


def normalised(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalised(item) for item in value]
    if isinstance(value, str) and TIMESTAMP.match(value):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def differences(product: Any, twin: Any, path: str = "$") -> Iterator[str]:
    """Where two normalised JSON values differ, as ``path: product != twin``."""
    if isinstance(product, dict) and isinstance(twin, dict):
        for key in product.keys() | twin.keys():
            if key not in twin:
                yield f"{path}.{key}: only the product answers it"
            elif key not in product:
                yield f"{path}.{key}: only the twin answers it"
            else:
                yield from differences(product[key], twin[key], f"{path}.{key}")
    elif isinstance(product, list) and isinstance(twin, list):
        if len(product) != len(twin):
            yield f"{path}: {len(product)} items != {len(twin)} items"
        for index, (left, right) in enumerate(zip(product, twin, strict=False)):
            yield from differences(left, right, f"{path}[{index}]")
    elif path.endswith(".remaining_business_seconds") and _same_countdown(product, twin):
        return
    elif product != twin or type(product) is not type(twin):
        yield f"{path}: {product!r} != {twin!r}"


def _same_countdown(product: Any, twin: Any) -> bool:
    """Seconds left on an SLA clock, counted at each answer's own moment: the two answers
    are a moment apart, so their countdowns may be too."""
    if isinstance(product, int) and isinstance(twin, int):
        return abs(product - twin) <= COUNTDOWN_TOLERANCE
    return product == twin


def _json(response: httpx.Response, what: str) -> Any:
    if response.status_code >= 300:
        raise TwinMismatch(f"{what}: {response.status_code} {response.text[:300]}")
    return response.json()


def _compare_get(product: httpx.Client, twin: httpx.Client, path: str) -> None:
    found: list[str] = []
    for _ in range(ATTEMPTS):
        left = normalised(_json(product.get(path), f"product GET {path}"))
        right = normalised(_json(twin.get(path), f"twin GET {path}"))
        found = list(differences(left, right))
        if not found:
            return
    raise TwinMismatch(f"GET {path}:\n  " + "\n  ".join(found[:SHOWN_DIFFERENCES]))


def verify(product_url: str, twin_url: str, creds: Credentials, fx: Fixtures) -> list[str]:
    """Compare the twins with the product; what was compared, or TwinMismatch."""
    headers = {"Authorization": f"Bearer {creds.admin_token}"}
    checked = []
    with (
        httpx.Client(
            base_url=product_url, headers=headers, timeout=120, trust_env=False
        ) as product,
        httpx.Client(base_url=twin_url, headers=headers, timeout=120, trust_env=False) as twin,
    ):
        for ticket_id in (fx.ticket_ids[0], fx.ticket_ids[len(fx.ticket_ids) // 2]):
            _compare_get(product, twin, f"/api/tickets/{ticket_id}")
            checked.append(f"GET /api/tickets/{ticket_id}")
        for path in ("/api/tickets?per_page=20", "/api/tickets?per_page=20&page=2"):
            _compare_get(product, twin, path)
            checked.append(f"GET {path}")

        body = create_body(fx.project_id)
        json_headers = {"Content-Type": "application/json"}
        made = _json(twin.post("/api/tickets", content=body, headers=json_headers), "twin POST")
        created = made["ticket"]
        stored = _json(product.get(f"/api/tickets/{created['id']}"), "product GET")["ticket"]
        read_back = {key: stored.get(key) for key in created}
        found = list(differences(normalised(read_back), normalised(created)))
        if found:
            raise TwinMismatch(
                "POST /api/tickets: the product reads the twin's ticket otherwise:\n  "
                + "\n  ".join(found[:SHOWN_DIFFERENCES])
            )
        made = _json(product.post("/api/tickets", content=body, headers=json_headers), "POST")
        if made["ticket"].keys() != created.keys():
            raise TwinMismatch(
                "POST /api/tickets: the fields differ: product "
                f"{sorted(made['ticket'])} twin {sorted(created)}"
            )
        checked.append("POST /api/tickets (read back through the product)")
    return checked
