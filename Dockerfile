# syntax=docker/dockerfile:1
#
# One image for the API server and the background worker:
#   docker build -t supportdesk .
#   docker run -p 8000:8000 -v supportdesk-data:/app/data supportdesk            # serve
#   docker run --env-file .env supportdesk worker                                # worker
#   docker run --env-file .env supportdesk migrate                               # schema only
# Without configuration it serves SQLite from the /app/data volume; production sets
# SUPPORTDESK_DATABASE_URL, SUPPORTDESK_REDIS_URL and SUPPORTDESK_SECRET_KEY.

ARG PYTHON_VERSION=3.11

# --- builder: the locked dependencies and SupportDesk itself, in /app/.venv -------------
FROM python:${PYTHON_VERSION}-slim AS builder

ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir --disable-pip-version-check --root-user-action=ignore "uv==${UV_VERSION}"

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python \
    UV_PROJECT_ENVIRONMENT=/app/.venv

WORKDIR /src

# Dependencies first, so a change to the code does not reinstall them.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --no-install-project

# Then SupportDesk itself, installed as a regular (non-editable) package.
COPY README.md ./
COPY src ./src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable

# --- runtime ----------------------------------------------------------------------------
FROM python:${PYTHON_VERSION}-slim AS runtime

RUN groupadd --system --gid 10001 supportdesk \
    && useradd --system --uid 10001 --gid supportdesk --home-dir /app \
        --no-create-home --shell /usr/sbin/nologin supportdesk

WORKDIR /app

# The virtualenv keeps its path (its scripts name /app/.venv/bin/python).
COPY --from=builder /app/.venv /app/.venv
# `supportdesk serve` and `supportdesk migrate` find alembic.ini in the working directory.
COPY alembic.ini ./
COPY migrations ./migrations

# SQLite database, its generated secret key and attachments live in one volume.
RUN mkdir -p /app/data/attachments && chown -R supportdesk:supportdesk /app/data

ENV PATH="/app/.venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SUPPORTDESK_DATABASE_URL=sqlite+aiosqlite:////app/data/supportdesk.db \
    SUPPORTDESK_ATTACHMENTS_DIR=/app/data/attachments

USER supportdesk
VOLUME ["/app/data"]
EXPOSE 8000

# Meaningful for `serve` on the default port; a worker container disables it
# (compose: `healthcheck: {disable: true}`; docker run: --no-healthcheck).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]

ENTRYPOINT ["supportdesk"]
CMD ["serve", "--host", "0.0.0.0"]
