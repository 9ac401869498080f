"""The OpenAPI document, finished by one set of rules for every surface.

FastAPI describes each route from its signature; what a client generator also needs is
decided here, once, rather than on 176 decorators:

- operation ids ``<surface>_<resource>_<action>`` (``rest_tickets_update``), from the
  path and the endpoint's verb;
- schema names unique across the document, naming the surface that owns them
  (``RestTicket``, ``InternalTicket``): the surfaces' models share class names;
- the error answers each operation can give, in its surface's own error body, in place
  of FastAPI's ``422 HTTPValidationError``, which no surface sends;
- a summary, a description and the credential (and scope) each operation needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from supportdesk.api import agent, internal, legacy, portal, project, rest
from supportdesk.api.agent.errors import AgentError
from supportdesk.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from supportdesk.api.idempotency import REPLAYED_HEADER
from supportdesk.api.internal.errors import InternalError
from supportdesk.api.legacy.errors import LegacyError
from supportdesk.api.portal.errors import PortalError
from supportdesk.api.project.errors import ProjectError
from supportdesk.api.rest.errors import RestError
from supportdesk.api.routing import owns

Document = dict[str, Any]

SCHEMA_REF = "#/components/schemas/"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True, slots=True)
class Surface:
    name: str
    paths: str
    error_model: type[BaseModel]
    # The status of a request whose parameters or body fail validation.
    invalid_status: int
    # Words its own class names start with to say "this surface" (project: External…).
    aliases: tuple[str, ...] = ()
    # Reads a body as JSON whatever its Content-Type says, so never answers 415.
    ignores_content_type: bool = False

    @property
    def title(self) -> str:
        return self.name.capitalize()


# Most specific first: the REST API's /api/v1 holds the internal and agent prefixes, the
# portal's /api holds every other.
SURFACES = (
    Surface("internal", internal.PREFIX, InternalError, 422),
    Surface("agent", agent.PREFIX, AgentError, 422, ignores_content_type=True),
    Surface("rest", rest.PREFIX, RestError, 400),
    Surface("legacy", legacy.PATHS, LegacyError, 422),
    Surface(
        "project",
        project.PREFIX,
        ProjectError,
        422,
        aliases=("External",),
        ignores_content_type=True,
    ),
    Surface("portal", portal.PREFIX, PortalError, 422),
)
# Paths outside every surface: /health and /ready.
SERVICE = "service"

_CRUD_VERBS = {
    "list": "list",
    "get": "get",
    "view": "get",
    "create": "create",
    "add": "create",
    "update": "update",
    "patch": "patch",
    "delete": "delete",
}
_DEFAULT_ACTIONS = {"get": "get", "post": "create", "put": "update", "patch": "update"}
_ACTION_WORDS = {
    "list": "List",
    "get": "Read",
    "create": "Create",
    "update": "Update",
    "patch": "Partly update",
    "delete": "Delete",
}

_STATUS_TEXT = {
    400: "The parameters or the body are invalid, or the body cannot be parsed.",
    401: "No credential, or one this API does not take (unknown, expired or revoked).",
    403: "The credential is valid but may not do this.",
    404: "The resource does not exist, or is not visible to this credential.",
    405: "This operation is refused.",
    409: "The change conflicts with the current state (a duplicate, or a concurrent change).",
    412: "`If-Match` names a version the ticket has moved on from; nothing was changed.",
    413: "The request body is larger than the server accepts.",
    415: "The body is sent with a Content-Type other than `application/json`.",
    422: "The parameters or the body are invalid; the body names each field.",
    429: "Too many requests from this credential; wait for `Retry-After` seconds.",
    503: "The database is unavailable or busy; try again after `Retry-After` seconds.",
}
# Where a form is taken too, only a form-encoded body that is really JSON is refused.
_FORM_BODY_IS_JSON = (
    "A form-encoded body holds JSON: send JSON as `Content-Type: application/json`."
)
_FORM_MEDIA_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
_RETRY_AFTER = {
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer"},
}
_RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": "Requests allowed per minute.",
    "X-RateLimit-Remaining": "Requests left in the current minute.",
    "X-RateLimit-Reset": "When the current minute ends, in epoch seconds.",
}
_CREDENTIALS = {
    "PortalJWT": "a portal user's access token as `Authorization: Bearer <JWT>`",
    "BearerApiKey": "an API key as `Authorization: Bearer sdk_…`",
    "ApiKey": "an API key in the `X-API-KEY` header",
    "ProjectKey": "a connected project's key pair in `X-Api-Key` and `X-Api-Secret`",
}
_REST_BEARER = "an internal API key (`sdk_…`) or a portal user's JWT as `Authorization: Bearer …`"
# Longer first sentences are left to the description.
SUMMARY_LENGTH = 80
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)[.;:](?=\s)")
_CODE_SPAN = re.compile(r"(`+)[^`]+?\1")
_INTERNAL_KEY_SURFACES = frozenset({"internal", "legacy"})
_UNLIMITED_PATHS = frozenset({"/health", "/ready"})


def surface_of(path: str) -> Surface | None:
    return next((surface for surface in SURFACES if owns(surface.paths, path)), None)


def install_openapi(app: FastAPI) -> None:
    """Serve the finished document at /openapi.json (and to /docs)."""
    build = app.openapi
    finished: list[Document] = []

    def openapi() -> Document:
        if not finished:
            finished.append(finish(build()))
        return finished[0]

    app.openapi = openapi  # type: ignore[method-assign]


def finish(document: Document) -> Document:
    """Apply every rule of this module to the document FastAPI built."""
    _rename_schemas(document)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas.update(_error_schemas())
    for path, method, operation in operations(document):
        surface = surface_of(path)
        operation["operationId"] = operation_id(path, method, operation, document)
        _declare_errors(path, method, operation, surface, document)
        _declare_idempotent(operation, surface)
        _declare_conditional(method, operation)
        _describe(operation, surface)
    return document


def operations(document: Document) -> Iterator[tuple[str, str, Document]]:
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


# ------------------------------------------------------------------- operation ids


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[^a-z0-9]+", text.lower()) if word]


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word.removesuffix("s")


def _endpoint_name(path: str, method: str, operation: Document) -> str:
    """The endpoint function's name, which FastAPI's own id starts with."""
    default = str(operation.get("operationId", ""))
    suffix = re.sub(r"\W", "_", path) + "_" + method
    return default.removesuffix(suffix) or method


def operation_id(path: str, method: str, operation: Document, document: Document) -> str:
    """``<surface>_<resource>_<action>``: the resource from the path, the action from the
    endpoint's verb (list, get, create, update, delete, or its own, such as ``close``)."""
    surface = surface_of(path)
    name = surface.name if surface else SERVICE
    function = _words(_endpoint_name(path, method, operation))
    if surface is not None and surface.paths == legacy.PATHS:
        # The script's name is already resource_action; the POST twin of a GET says so.
        script = path.rsplit("/", 1)[-1].removesuffix(".php")
        item = document["paths"][path]
        twin = method == "post" and "get" in item
        return "_".join([name, *_words(script), *(["post"] if twin else [])])
    prefix = surface.paths if surface else ""
    segments = [s for s in path.removeprefix(prefix).split("/") if s]
    statics = [_words(s) for s in segments if not s.startswith("{")]
    resource = [word for segment in statics for word in segment]
    verb = function[0] if function else method
    if verb in _CRUD_VERBS:
        return "_".join([name, *resource, _CRUD_VERBS[verb]])
    # Another verb: a last path segment that only names it (/tickets/{id}/close, a path
    # of one operation) is the action, not a resource; words of the resource are not
    # repeated in the action.
    alone = sum(m in document["paths"][path] for m in METHODS) == 1
    if alone and len(statics) > 1 and not segments[-1].startswith("{"):
        resource = [word for segment in statics[:-1] for word in segment]
    known = set(resource) | {_singular(word) for word in resource}
    action = [word for word in function if word not in known]
    if not action:
        action = [_DEFAULT_ACTIONS.get(method, method)]
    return "_".join([name, *resource, *action])


# ------------------------------------------------------------------- schema names


def _references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_REF):
            yield ref.removeprefix(SCHEMA_REF)
        for child in value.values():
            yield from _references(child)
    elif isinstance(value, list):
        for child in value:
            yield from _references(child)


def _users(document: Document) -> dict[str, set[str]]:
    """Each schema's surfaces: those whose operations reach it, directly or nested."""
    schemas: Document = document.get("components", {}).get("schemas", {})
    users: dict[str, set[str]] = {name: set() for name in schemas}
    for path, _, operation in operations(document):
        surface = surface_of(path)
        owner = surface.name if surface else SERVICE
        pending = list(_references(operation))
        while pending:
            name = pending.pop()
            if name in users and owner not in users[name]:
                users[name].add(owner)
                pending.extend(_references(schemas[name]))
    return users


def _base_name(name: str) -> str:
    """A schema's class name, generics spelled out: ``Envelope_TicketOut_`` is
    ``TicketEnvelope``, ``AgentPage_AgentTicket_`` ``AgentTicketAgentPage``."""
    name = name.rsplit("__", 1)[-1] if name.startswith("supportdesk__") else name
    head, *arguments = [part for part in name.split("_") if part]
    words = []
    for argument in arguments:
        if argument == "list":
            continue
        if argument in ("dict", "str", "Any"):
            words.append("Map" if argument == "dict" else "")
            continue
        words.append(argument.removesuffix("Out"))
    listed = "List" if "list" in arguments else ""
    return "".join(words) + listed + head.removesuffix("Out")


def schema_name(name: str, surfaces: set[str]) -> str:
    """The name of schema ``name`` used by ``surfaces``: prefixed by the surface owning it."""
    base = _base_name(name)
    if len(surfaces) != 1 or SERVICE in surfaces:
        return base
    surface = next(s for s in SURFACES if s.name in surfaces)
    for word in (surface.title, *surface.aliases):
        base = base.replace(word, "")
    return surface.title + base


def _rename_schemas(document: Document) -> None:
    schemas: Document = document.get("components", {}).get("schemas", {})
    users = _users(document)
    renames = {name: schema_name(name, users[name]) for name in schemas}
    taken: dict[str, list[str]] = {}
    for old, new in renames.items():
        taken.setdefault(new, []).append(old)
    clashes = {new: olds for new, olds in taken.items() if len(olds) > 1}
    if clashes:
        raise RuntimeError(f"schemas sharing a name: {clashes}")
    renamed = {}
    for old, schema in schemas.items():
        schema["title"] = renames[old]
        renamed[renames[old]] = schema
    document["components"]["schemas"] = renamed
    _rewrite_refs(document, {SCHEMA_REF + old: SCHEMA_REF + new for old, new in renames.items()})


def _rewrite_refs(value: Any, refs: dict[str, str]) -> None:
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref in refs:
            value["$ref"] = refs[ref]
        for child in value.values():
            _rewrite_refs(child, refs)
    elif isinstance(value, list):
        for child in value:
            _rewrite_refs(child, refs)


# ------------------------------------------------------------------- error answers


def _error_schemas() -> Document:
    models = [(surface.error_model, "serialization") for surface in SURFACES]
    _, schema = models_json_schema(models, ref_template=SCHEMA_REF + "{model}")  # type: ignore[arg-type]
    defs: Document = schema["$defs"]
    return defs


def _names_a_record(operation: Document, document: Document) -> bool:
    """Whether a parameter or a body field holds an id, which may name nothing."""
    names = [str(parameter.get("name", "")) for parameter in operation.get("parameters", [])]
    for content in operation.get("requestBody", {}).get("content", {}).values():
        schema = content.get("schema", {})
        ref = schema.get("$ref", "")
        if ref.startswith(SCHEMA_REF):
            schema = document["components"]["schemas"][ref.removeprefix(SCHEMA_REF)]
        names.extend(schema.get("properties", {}))
    return any(re.search(r"(^|_)(id|ids|number)$", name) for name in names)


def _error_statuses(
    path: str, method: str, operation: Document, surface: Surface, document: Document
) -> set[int]:
    statuses = {429, 503}
    if operation.get("security"):
        statuses |= {401, 403}
    if operation.get("parameters") or "requestBody" in operation:
        statuses.add(surface.invalid_status)
    if "{" in path or _names_a_record(operation, document):
        statuses.add(404)
    if method != "get":
        statuses.add(409)
    if "requestBody" in operation:
        # 400: a body that is not what its Content-Type says (JSON that does not parse).
        statuses |= {400, 413}
        if not surface.ignores_content_type:
            statuses.add(415)
    if _takes_header(operation, "If-Match"):
        statuses.add(412)
    return statuses


def _takes_forms(operation: Document) -> bool:
    return not _FORM_MEDIA_TYPES.isdisjoint(operation.get("requestBody", {}).get("content", {}))


def _error_response(status: int, surface: Surface, description: str | None = None) -> Document:
    response: Document = {
        "description": description or _STATUS_TEXT[status],
        "content": {
            "application/json": {"schema": {"$ref": SCHEMA_REF + surface.error_model.__name__}}
        },
    }
    if status in (429, 503):
        response["headers"] = {"Retry-After": _RETRY_AFTER}
    if status == 429:
        response["headers"].update(
            {
                name: {"description": text, "schema": {"type": "integer"}}
                for name, text in _RATE_LIMIT_HEADERS.items()
            }
        )
    return response


def _declare_errors(
    path: str, method: str, operation: Document, surface: Surface | None, document: Document
) -> None:
    responses: Document = operation.setdefault("responses", {})
    if "HTTPValidationError" in str(responses.get("422")):
        del responses["422"]  # FastAPI's own body, which no surface sends
    if surface is None:
        return
    if "405" in responses:
        # An operation that is always refused: only its parameters are checked first.
        refusal = responses["405"]
        responses.clear()
        responses["405"] = refusal
        statuses = {405, 429} | ({surface.invalid_status} if operation.get("parameters") else set())
    else:
        # The errors an endpoint declares itself (a login's 401), and those of the rules.
        declared = {int(status) for status in responses if status[0] in "45"}
        statuses = declared | _error_statuses(path, method, operation, surface, document)
    for status in sorted(statuses):
        declared_response = responses.get(str(status), {})
        description = declared_response.get("description")
        if status == 415 and description is None and _takes_forms(operation):
            description = _FORM_BODY_IS_JSON
        responses[str(status)] = _error_response(status, surface, description)
    if path not in _UNLIMITED_PATHS:
        for key, response in responses.items():
            if key.startswith("2"):
                response.setdefault("headers", {}).update(
                    {
                        name: {"description": text, "schema": {"type": "integer"}}
                        for name, text in _RATE_LIMIT_HEADERS.items()
                    }
                )


# ------------------------------------------------------------------- idempotent creates

_KEY_REUSED = "The `Idempotency-Key` was sent before with another request."
_KEY_IN_USE = (
    "A duplicate, or a concurrent change; or the first request with this "
    "`Idempotency-Key` is still running: try again after `Retry-After` seconds."
)
_REPLAYED = {
    "description": "`true` on a repeat of a create: the first answer, sent again.",
    "schema": {"type": "string", "enum": ["true"]},
}


def _declare_idempotent(operation: Document, surface: Surface | None) -> None:
    """A create taking ``Idempotency-Key`` answers repeats with the stored answer, refuses
    a reused key (422, in every surface) and may ask a repeat to wait (409)."""
    takes_key = any(
        parameter.get("in") == "header" and parameter.get("name") == IDEMPOTENCY_HEADER
        for parameter in operation.get("parameters", [])
    )
    if surface is None or not takes_key:
        return
    responses: Document = operation.setdefault("responses", {})
    invalid = responses.get("422", {}).get("description")
    reused = f"{invalid} Or: {_KEY_REUSED[0].lower()}{_KEY_REUSED[1:]}" if invalid else _KEY_REUSED
    responses["422"] = _error_response(422, surface, reused)
    responses["409"] = _error_response(409, surface, _KEY_IN_USE)
    responses["409"]["headers"] = {"Retry-After": _RETRY_AFTER}
    for key, response in responses.items():
        if key.startswith("2"):
            response.setdefault("headers", {})[REPLAYED_HEADER] = _REPLAYED
    ordered = dict(sorted(responses.items()))
    responses.clear()
    responses.update(ordered)


# ------------------------------------------------------------------- conditional requests

_ETAG = {
    "description": "The ticket's version, for `If-None-Match` and `If-Match`.",
    "schema": {"type": "string"},
}


def _takes_header(operation: Document, name: str) -> bool:
    return any(
        parameter.get("in") == "header" and str(parameter.get("name", "")).lower() == name.lower()
        for parameter in operation.get("parameters", [])
    )


def _declare_conditional(method: str, operation: Document) -> None:
    """A ticket read (it takes If-None-Match) may answer 304; it and a change that
    answers with the ticket (it takes If-Match) send its version as ``ETag``."""
    responses: Document = operation.setdefault("responses", {})
    reads = _takes_header(operation, "If-None-Match")
    if reads and method == "get":
        responses["304"] = {
            "description": "The ticket is still at the version `If-None-Match` names; no body.",
            "headers": {"ETag": _ETAG},
        }
    if reads or (_takes_header(operation, "If-Match") and method != "delete"):
        for key, response in responses.items():
            if key.startswith("2"):
                response.setdefault("headers", {})["ETag"] = _ETAG


# ------------------------------------------------------------------- descriptions


def _credential(operation: Document, surface: Surface | None) -> str | None:
    requirements: list[Document] = operation.get("security") or []
    if not requirements:
        return None
    requirement = requirements[0]
    scheme = next(iter(requirement))
    scopes = sorted({scope for scopes in requirement.values() for scope in scopes})
    if scheme == "BearerApiKey" and surface is not None and surface.name == "rest":
        needs = _REST_BEARER
    else:
        needs = _CREDENTIALS.get(scheme, scheme)
    if surface is not None and surface.name in _INTERNAL_KEY_SURFACES:
        needs = needs.replace("an API key", "an internal API key")
    elif surface is not None and surface.name == "agent":
        needs = needs.replace("an API key", "an agent's external API key")
    sentence = f"Needs {needs}"
    if scopes:
        named = ", ".join(f"`{scope}`" for scope in scopes)
        sentence += f", holding the scope {named}" if len(scopes) == 1 else f", holding {named}"
    return sentence + "."


def _first_sentence(text: str) -> str:
    """The first paragraph up to its first full stop, semicolon or colon, on one line;
    neither an abbreviation (``e.g.``) nor a ``code span`` ends a sentence."""
    paragraph = " ".join(text.split("\n\n")[0].split())
    spans = [match.span() for match in _CODE_SPAN.finditer(paragraph)]
    for end in _SENTENCE_END.finditer(paragraph):
        if not any(start < end.start() < stop for start, stop in spans):
            return paragraph[: end.start()]
    return paragraph.rstrip(".;:")


def _summary(operation_id: str, docstring: str) -> str:
    """The docstring's first sentence if it fits on a line; else the operation id read aloud."""
    first = _first_sentence(docstring)
    if first and len(first) <= SUMMARY_LENGTH:
        return first
    words = operation_id.split("_")[1:]
    action = words[-1]
    if action in _ACTION_WORDS:
        nouns = words[:-1] if action == "list" else [_singular(word) for word in words[:-1]]
        return " ".join([_ACTION_WORDS[action], *nouns]).capitalize()
    return " ".join(words).capitalize()


def _describe(operation: Document, surface: Surface | None) -> None:
    docstring = str(operation.get("description") or "").strip()
    summary = _summary(operation["operationId"], docstring)
    operation["summary"] = summary
    parts = [docstring or summary + "."]
    credential = _credential(operation, surface)
    if credential is not None:
        parts.append(credential)
    elif surface is not None:
        parts.append("Needs no credential.")
    operation["description"] = "\n\n".join(parts)
