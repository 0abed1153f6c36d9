# A faust-badges worker image. Build: `make image` (docker build -t faust-badges:VERSION .)
# Run:  docker run -e BROKER_URL=kafka://kafka:9092 -e BADGES_OPS_TOKEN=... -v badges-data:/data IMAGE
# Tools: docker run --rm -e BROKER_URL=... IMAGE faust-badges config apply /path/badges.yaml
# No secret is baked in: the ops token and provider API keys come from the environment.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: a virtualenv holding the worker and its pinned dependencies --------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# A compiler for dependencies without a wheel for the platform (faust-streaming has none for
# arm64); on amd64 every dependency is a wheel. It stays in this stage.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/faust-badges
WORKDIR /src
# Dependencies first (exactly as pyproject.toml and constraints.txt pin them), so a code
# change rebuilds only the last layers.
COPY pyproject.toml constraints.txt ./
RUN python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
        > requirements.txt \
    && /opt/faust-badges/bin/pip install --prefer-binary -c constraints.txt -r requirements.txt
COPY README.md ./
COPY faust_badges ./faust_badges
# pip is not needed at run time; the bytecode compiled here is kept (a faster start).
RUN /opt/faust-badges/bin/pip install --no-deps . \
    && /opt/faust-badges/bin/pip uninstall --yes pip

# --- runtime: the virtualenv on a clean base, as an unprivileged user ----------------------
FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 badges \
    && useradd --system --uid 10001 --gid badges --home-dir /nonexistent --no-create-home badges \
    && mkdir /data \
    && chown badges:badges /data
COPY --from=build /opt/faust-badges /opt/faust-badges
ENV PATH=/opt/faust-badges/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    APP_DATADIR=/data \
    WEB_PORT=6066
# Numeric, so that Kubernetes can check runAsNonRoot without reading /etc/passwd.
USER 10001:10001
WORKDIR /data
# RocksDB tables live here: mount a volume so a restart recovers locally instead of from Kafka.
VOLUME ["/data"]
EXPOSE 6066
# 200 once the tables are recovered (503 while recovering: the start period covers a restore).
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('WEB_PORT', '6066'), timeout=4)"]
# No ENTRYPOINT: any command runs as given (faust-badges ..., sh -c ... for Tutor's jobs).
CMD ["faust", "-A", "faust_badges.app", "worker", "-l", "info"]
