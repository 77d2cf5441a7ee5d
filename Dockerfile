# syntax=docker/dockerfile:1
# One image for any part of the platform, chosen by build argument:
#   docker build --build-arg SERVICE=training -t naloxone/training .
# SERVICE is a service of kernel/naloxone_kernel/registry.py (training, inventory, ...), `gateway`,
# or `naloxctl` (the tools: development token issuer, tokens, demo data). docker-compose.yml and
# deploy/k8s run each process of a service from its image as `python -m naloxone_kernel SERVICE KIND`.
#
# Pinned: the base image by exact tag (the interpreter `make test` runs: CPython 3.11), uv by
# version; dependencies come from uv.lock as it is (uv sync --frozen), nothing resolved afresh.
# The gateway's dashboard draws with ECharts, built by npm from gateway/dashboard-web's lock file
# (npm ci, as `make dashboard` does) in a node stage of its own, pinned the same way.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS dashboard
WORKDIR /src/gateway/dashboard-web
COPY gateway/dashboard-web/package.json gateway/dashboard-web/package-lock.json gateway/dashboard-web/.npmrc \
     gateway/dashboard-web/build.mjs ./
# writes /src/gateway/gateway/dashboard/static/vendor/ (build.mjs's target, relative to this folder)
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund && npm run build

FROM ${PYTHON_IMAGE} AS build
ARG SERVICE
ARG UV_VERSION=0.13.9
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
RUN test -n "${SERVICE}" || { echo "build with --build-arg SERVICE=<service|gateway|naloxctl>" >&2; exit 1; }
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
WORKDIR /src
COPY . .
# The built dashboard files, git-ignored in the sources: the gateway's wheel carries them (hatch
# artifacts in gateway/pyproject.toml); the other images get them too and never serve them.
COPY --from=dashboard /src/gateway/gateway/dashboard/static/vendor/ gateway/gateway/dashboard/static/vendor/
# Only the chosen package and what it depends on, installed as wheels (no editable links to
# /src), so the runtime stage needs the virtual environment alone.
RUN --mount=type=cache,target=/root/.cache/uv \
    package="naloxone-${SERVICE}"; \
    if [ "${SERVICE}" = naloxctl ]; then package=naloxctl; fi; \
    uv sync --frozen --no-dev --no-editable --package "${package}"

FROM ${PYTHON_IMAGE} AS runtime
ARG SERVICE
ENV PATH=/app/.venv/bin:${PATH} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    NALOX_SERVICE=${SERVICE}
# A fixed non-root user (10001), the one deploy/k8s's securityContext names; its only writable
# place in the image is /var/lib/naloxone (the development issuer's keys in Compose). The root
# filesystem is mounted read-only in Compose and Kubernetes; /tmp is a tmpfs / emptyDir.
RUN groupadd --system --gid 10001 naloxone \
    && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
       --shell /usr/sbin/nologin naloxone \
    && mkdir -p /var/lib/naloxone && chown 10001:10001 /var/lib/naloxone
COPY --from=build /app/.venv /app/.venv
WORKDIR /app
USER 10001:10001
LABEL org.opencontainers.image.title="naloxone-${SERVICE}" \
      org.opencontainers.image.description="Naloxone Partnership Platform: ${SERVICE}"
CMD ["python", "-m", "naloxone_kernel", "--help"]
