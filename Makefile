# faust-badges: the two commands are `make run` (a local demo) and `make test` (everything CI runs).
# Both set up what they need: a virtualenv in .venv, and Kafka jars in .cache (via Maven).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
# Tutor and its plugin live in a virtualenv of their own: Tutor 22 needs click>=8.4, the worker
# pins click 8.3.3. The tests in tests/tutor run this venv's `tutor` (see tutor-plugin/).
TUTOR_VENV := $(VENV)/tutor
TUTOR_STAMP := $(TUTOR_VENV)/.installed-$(shell cat tutor-plugin/pyproject.toml tutor-plugin/constraints.txt | cksum | cut -d' ' -f1)
IMAGE ?= faust-badges:$(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)

.PHONY: setup run test lint typecheck unit integration bench chaos kafka-start kafka-stop constraints clean \
	tutor-env tutor-constraints image

setup: $(STAMP) $(TUTOR_STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

tutor-env: $(TUTOR_STAMP)

$(TUTOR_STAMP): tutor-plugin/pyproject.toml tutor-plugin/constraints.txt
	$(PYTHON) -m venv $(TUTOR_VENV)
	$(TUTOR_VENV)/bin/pip install --quiet --upgrade pip
	$(TUTOR_VENV)/bin/pip install --quiet -c tutor-plugin/constraints.txt -e tutor-plugin
	rm -f $(TUTOR_VENV)/.installed-*
	touch $@

## The local demo: Kafka, the example config, a worker, sample events, the awarded badges.
run: setup
	$(BIN)/python scripts/run_local.py

## Everything CI checks: lint, types, unit tests, integration tests against a real broker.
## The dashboard's browser test drives Debian's chromium: installed here when missing (as root).
test: lint typecheck
	bash scripts/ensure_chromium.sh
	$(BIN)/python -m pytest -p no:cacheprovider

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/python -m pytest tests/unit

integration: setup
	bash scripts/ensure_chromium.sh
	$(BIN)/python -m pytest tests/integration

## Throughput of the job beside the raw consumer ceiling, on the same broker and data.
bench: setup
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

## Workers killed at random under load, full size, one run per seed (issue 14); a seed replays.
## Each run prints its schedule and the comparison with the pure core.
CHAOS_SEEDS ?= 1 2 3 4 5
chaos: setup
	@set -e; for seed in $(CHAOS_SEEDS); do \
	  CHAOS_SEED=$$seed CHAOS_EVENTS=$${CHAOS_EVENTS:-45000} CHAOS_LEARNERS=$${CHAOS_LEARNERS:-3000} \
	  CHAOS_RATE=$${CHAOS_RATE:-1500} CHAOS_INTERRUPTIONS=$${CHAOS_INTERRUPTIONS:-10} \
	  CHAOS_WINDOW=$${CHAOS_WINDOW:-50} \
	  $(BIN)/python -m pytest -p no:cacheprovider -q -s tests/integration/test_chaos.py; \
	done

kafka-start: setup
	$(BIN)/python scripts/local_kafka.py start

kafka-stop:
	$(PYTHON) scripts/local_kafka.py stop

constraints:
	rm -rf .constraints-venv
	$(PYTHON) -m venv .constraints-venv
	.constraints-venv/bin/pip install --quiet --upgrade pip
	.constraints-venv/bin/pip install --quiet -e '.[test]'
	{ head -2 constraints.txt; .constraints-venv/bin/pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt
	rm -rf .constraints-venv

clean:
	rm -rf $(VENV) .run build *.egg-info

## The worker image (Dockerfile). Needs a Docker engine: none is there, it says so and fails.
image:
	@if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then \
	  echo "make image: no Docker engine here (\`docker info\` failed): $(IMAGE) was NOT built." >&2; \
	  echo "Build it where Docker runs: docker build -t $(IMAGE) ." >&2; \
	  exit 2; \
	fi
	docker build -t $(IMAGE) .

## Re-pin the Tutor venv (tutor-plugin/constraints.txt) after changing tutor-plugin/pyproject.toml.
tutor-constraints:
	rm -rf .constraints-venv
	$(PYTHON) -m venv .constraints-venv
	.constraints-venv/bin/pip install --quiet --upgrade pip
	.constraints-venv/bin/pip install --quiet -e tutor-plugin
	{ head -3 tutor-plugin/constraints.txt; .constraints-venv/bin/pip freeze --exclude-editable; } > tutor-plugin/constraints.new
	mv tutor-plugin/constraints.new tutor-plugin/constraints.txt
	rm -rf .constraints-venv
