# Pantau: `make run` serves the whole system with demo data; `make test` runs
# the suite exactly as CI does.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench drills loadtest fuzz venv clean

$(PY):
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "python3-venv is missing; installing it with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && \
	    rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); \
	  else \
	    echo "error: '$(PYTHON) -m venv' failed; install python3-venv (sudo apt-get install python3-venv)" >&2; exit 1; \
	  fi; }

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
	@chmod 600 var/secret_key

run: $(STAMP) var/secret_key
	@SECRET_KEY="$$(cat var/secret_key)" HTTPS=0 $(PY) manage.py migrate --no-input -v0
	@SECRET_KEY="$$(cat var/secret_key)" HTTPS=0 $(PY) manage.py collectstatic --no-input -v0
	@SECRET_KEY="$$(cat var/secret_key)" HTTPS=0 $(PY) manage.py seed_demo --if-empty
	@SECRET_KEY="$$(cat var/secret_key)" HTTPS=0 $(PY) manage.py serve --host $(HOST) --port $(PORT)

# Both passes (SQLite, then PostgreSQL + Redis); see docs/testing.md.
# Extra pytest arguments: make test ARGS='-k checkin -x'
test: $(STAMP)
	$(PY) -m tests.run $(ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(STAMP)
	$(PY) -m bench

# Fault drills (docs/drills.md): kill -9 of a worker, Redis stopped,
# PostgreSQL restarted, a full photo disk; each on its own PostgreSQL + Redis
# + two-worker server on free loopback ports. About five minutes; as root for
# the full-disk drill (it mounts a small tmpfs).
drills: $(STAMP)
	$(PY) -m pytest tests/drills -m drill -v $(ARGS)

# Hostile input (docs/testing.md): schemathesis against the OpenAPI schema
# plus the malformed-image and multipart corpus, in both passes. Examples per
# operation and account: make fuzz FUZZ_EXAMPLES=100; make fuzz ARGS='-m fuzz'
# runs the schema fuzzer only (as CI does: the corpus is part of make test).
fuzz: $(STAMP)
	FUZZ=1 $(PY) -m tests.run tests/fuzz $(ARGS)

# The morning rush on a throwaway PostgreSQL + Redis + WEB_CONCURRENCY
# workers (docs/scaling.md); about 15 minutes. Options: make loadtest
# LOADTEST_ARGS='--peak-minutes 1' (or --smoke, --find-max, --help).
loadtest: $(STAMP)
	$(PY) -m loadtest $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) var
