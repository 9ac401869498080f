"""The methods a path takes, for the ``Allow`` header of a ``405`` answer.

The router refuses a method with the methods of the first route it found for the path,
yet each method of a path is a route of its own: the complete list comes from asking
every route whether it would take the path with each method.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Match
from starlette.types import Scope

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> list[str]:
    """The methods some route in ``routes`` takes at the path of ``scope``."""
    return [
        method
        for method in METHODS
        if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in routes)
    ]
