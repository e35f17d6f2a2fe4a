# The stclip service image:
#   docker build -t stclip .
#   docker run -p 8080:8080 stclip        # serves the embedded default model at once
# See the README's "Deployment" section. Docker does not run on our CI machines:
# Scripts/deploy/lint.sh lints this file (hadolint), and Scripts/deploy/host-image-check.sh
# performs its build on the host and checks that the runtime stage's packages below provide every
# library the binary loads (it reads the package list from this file).

# ---- build: the release binary, with the Swift runtime linked in statically ----------------------
FROM swift:6.3.1-bookworm AS build
# Debian's package versions are pinned by the bookworm release and its security updates.
# libcurl's headers: the static FoundationNetworking links against libcurl.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libopenblas-dev libsqlite3-dev \
        libcurl4-openssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
# The manifest names the test targets, so their directories must exist (.dockerignore leaves out
# the fixtures).
COPY Tests ./Tests
COPY Models/default ./Models/default
COPY Scripts/deploy/install-prefix.sh ./Scripts/deploy/
RUN Scripts/deploy/install-prefix.sh /staging/usr/local

# ---- runtime: Debian with only the shared libraries the binary loads ------------------------------
FROM debian:bookworm-slim
# FFmpeg and OpenBLAS, SQLite for the default label store, libcurl for FoundationNetworking (the
# label-description client), CA certificates for TLS to PostgreSQL and the language model, curl
# for the health check.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libavformat59 libavcodec59 libavutil57 libswscale6 libopenblas0-pthread libsqlite3-0 libcurl4 \
        ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
# An unprivileged user with a fixed uid (for Kubernetes' runAsUser and volume ownership).
RUN groupadd --system --gid 10001 stclip \
    && useradd --system --uid 10001 --gid stclip --home-dir /var/lib/stclip --shell /usr/sbin/nologin stclip \
    && install -d -o stclip -g stclip -m 750 /var/lib/stclip /models
COPY --from=build /staging/usr/local/ /usr/local/

# Listen on every interface; the SQLite label store under the data volume. With no STCLIP_MODEL
# the service serves the embedded model, which it finds beside its executable
# (/usr/local/bin/../share/stclip/models/default); set STCLIP_MODEL to a model under /models to
# serve another.
ENV STCLIP_HOST=0.0.0.0 \
    STCLIP_PORT=8080 \
    STCLIP_DATA=/var/lib/stclip
VOLUME ["/models", "/var/lib/stclip"]
EXPOSE 8080
USER 10001:10001
WORKDIR /var/lib/stclip
# The service drains on SIGTERM: /readyz turns 503 and requests in flight get
# STCLIP_SHUTDOWN_GRACE_PERIOD (30 s) to finish.
STOPSIGNAL SIGTERM
# Liveness only (/healthz answers while the model loads); through a shell for the port in use.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
    CMD ["sh", "-c", "curl -fsS -o /dev/null http://127.0.0.1:${STCLIP_PORT}/healthz || exit 1"]
ENTRYPOINT ["/usr/local/bin/stclip"]
CMD ["serve"]
