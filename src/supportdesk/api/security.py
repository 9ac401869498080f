"""The credential schemes, declared for OpenAPI so "Authorize" in /docs works.

The Authenticator reads the headers itself; these only document them.
"""

from __future__ import annotations

from fastapi.security import APIKeyHeader, HTTPBearer

bearer_jwt = HTTPBearer(
    auto_error=False,
    scheme_name="PortalJWT",
    bearerFormat="JWT",
    description="A portal user's access token from POST /api/auth/login.",
)
bearer_api_key = HTTPBearer(
    auto_error=False,
    scheme_name="BearerApiKey",
    description="An API key (sdk_…) or a portal JWT as a Bearer token.",
)
api_key_header = APIKeyHeader(
    name="X-API-KEY",
    auto_error=False,
    scheme_name="ApiKey",
    description="An internal (scoped) or external (agent) API key, sdk_….",
)
project_key_header = APIKeyHeader(
    name="X-Api-Key",
    auto_error=False,
    scheme_name="ProjectKey",
    description="A connected project's key, sk_… (sent with X-Api-Secret).",
)
project_secret_header = APIKeyHeader(
    name="X-Api-Secret",
    auto_error=False,
    scheme_name="ProjectSecret",
    description="A connected project's secret, ss_… (sent with X-Api-Key).",
)

ALL_SCHEMES = (
    bearer_jwt,
    bearer_api_key,
    api_key_header,
    project_key_header,
    project_secret_header,
)
