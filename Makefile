# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
DB     ?= $(or $(SEASTAT_DB),data/seastat.duckdb)

.PHONY: run test venv dev-venv browser js demo bench clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.dev-installed

# Debian's chromium + chromium-driver drive the browser tests and render PDF charts; the store tests
# also run the ledger on a throw-away PostgreSQL server (Debian's postgresql binaries, never started
# as a system service: tests/pgserver.py starts its own cluster in a temp folder).
browser:
	@if command -v chromedriver >/dev/null 2>&1 && command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 \
	     && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "chromium, chromedriver, poppler and postgresql already installed"; \
	else \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    chromium chromium-driver poppler-utils postgresql libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	fi

# plotly.js with only the traces SeaStat draws (js/plotly-seastat.js; components/plotly_bundle.py),
# built from the npm registry: 1.4 MB instead of Dash's 4.8 MB for a browser to compile on its first
# chart. Without npm the app serves Dash's full bundle (same charts, slower first visit).
JS_BUNDLE := js/build/plotly-seastat.min.js
$(JS_BUNDLE): js/package.json js/package-lock.json js/plotly-seastat.js
	@if command -v npm >/dev/null 2>&1; then \
	  cd js && npm ci --no-audit --no-fund --silent && npm run --silent build; \
	else \
	  echo "npm not found: the app will serve Dash's full plotly.js (install Node.js + npm for a faster first chart)"; \
	fi
js: $(JS_BUNDLE)

demo: $(VENV)/.installed
	$(PY) -m etl demo --db $(DB)

run: $(VENV)/.installed $(JS_BUNDLE)
	@test -f $(DB) || $(PY) -m etl demo --db $(DB)
	SEASTAT_DB=$(DB) $(PY) app.py

test: $(VENV)/.dev-installed browser $(JS_BUNDLE)
	$(PY) -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure"; exit 1; fi; exit $$rc

bench: $(VENV)/.installed
	for b in bench/bench_*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache js/node_modules js/build
