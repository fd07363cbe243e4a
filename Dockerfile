# syntax=docker/dockerfile:1
# Multi-stage build for every service of docker-compose.yml:
#   target `app`            -> api, agent, migrate (contact-center CLI, non-root; includes
#                              livekit-client from npm for the /call page)
#   target `livekit-server` -> livekit-server built from the Go module proxy (non-root)
#   target `livekit-sip`    -> livekit-sip built from the Go module proxy (cgo: opus, soxr)
# Versions come from scripts/versions.env, the same pins `make install` uses.

FROM golang:1.26-bookworm AS go-build
RUN apt-get update && apt-get install -y --no-install-recommends \
      pkg-config libopus-dev libopusfile-dev libsoxr-dev && rm -rf /var/lib/apt/lists/*
COPY scripts/versions.env /versions.env
RUN set -eu; . /versions.env; mkdir -p /out; \
    for spec in "livekit-server $LIVEKIT_SERVER_MODULE $LIVEKIT_SERVER_VERSION $LIVEKIT_SERVER_MAIN" \
                "livekit-sip $LIVEKIT_SIP_MODULE $LIVEKIT_SIP_VERSION $LIVEKIT_SIP_MAIN"; do \
      set -- $spec; \
      dir=$(go mod download -json "$2@$3" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p'); \
      cp -r "$dir" "/src-$1" && chmod -R u+w "/src-$1"; \
      (cd "/src-$1" && go build -trimpath -o "/out/$1" "$4"); \
    done

FROM node:20-bookworm-slim AS node-build
WORKDIR /srv
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim-bookworm AS python-build
RUN pip install --no-cache-dir uv
WORKDIR /srv
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY core ./core
COPY nlu ./nlu
COPY app ./app
COPY agent ./agent
COPY sip ./sip
COPY speech ./speech
COPY livekit_stack ./livekit_stack
COPY cli ./cli
COPY migrations ./migrations
COPY alembic.ini ./
# bytecode compiled in the image: containers start without compiling their imports
RUN uv sync --frozen --no-dev --no-editable --compile-bytecode

FROM debian:bookworm-slim AS server-base
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
      libopus0 libopusfile0 libsoxr0 && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home livekit
USER livekit

FROM server-base AS livekit-server
COPY --from=go-build /out/livekit-server /usr/local/bin/livekit-server
EXPOSE 7880 7881 7882/udp
ENTRYPOINT ["livekit-server"]

FROM server-base AS livekit-sip
COPY --from=go-build /out/livekit-sip /usr/local/bin/livekit-sip
EXPOSE 5060/udp 5060/tcp 8090
ENTRYPOINT ["livekit-sip"]

FROM python:3.11-slim-bookworm AS app
RUN apt-get update && apt-get install -y --no-install-recommends curl espeak-ng \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --create-home app \
    && mkdir -p /data/recordings && chown app:app /data/recordings
WORKDIR /srv
COPY --from=python-build --chown=app:app /srv /srv
COPY --from=node-build --chown=app:app /srv/node_modules /srv/node_modules
ENV PATH="/srv/.venv/bin:$PATH" PYTHONUNBUFFERED=1 API_HOST=0.0.0.0 \
    NODE_MODULES_DIR=/srv/node_modules
USER app
EXPOSE 8000 8081 8082
CMD ["contact-center", "api"]
