# A faust-badges worker. Build: docker build -t faust-badges .
# Run:  docker run -e BROKER_URL=kafka://kafka:9092 -e BADGES_OPS_TOKEN=... -v badges-data:/data faust-badges
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Dependencies first (pinned by constraints.txt), so code changes do not reinstall them.
COPY pyproject.toml constraints.txt README.md ./
COPY faust_badges ./faust_badges
RUN pip install -c constraints.txt . \
    && useradd --create-home --uid 10001 badges \
    && mkdir -p /data \
    && chown badges /data

USER badges
# RocksDB tables live here: mount a volume so a restart recovers locally instead of from Kafka.
ENV APP_DATADIR=/data \
    WEB_PORT=6066
VOLUME ["/data"]
EXPOSE 6066

ENTRYPOINT ["faust", "-A", "faust_badges.app", "worker"]
CMD ["-l", "info"]
