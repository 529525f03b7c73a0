# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PYTHON ?= python3
PORT      ?= 3000
MOTO_PORT ?= 4566
# `make run SEED=0` starts with empty tables.
SEED      ?= 1
RUNNER := target/debug/local-runner
export MOTO_SERVER := $(abspath $(VENV))/bin/moto_server

.PHONY: help run test build lint-template fmt package bench clean

help:
	@echo "make run      the whole platform on http://127.0.0.1:$(PORT) (moto on $(MOTO_PORT)); Ctrl-C stops it"
	@echo "make test     template lint, formatting and every test (unit, runner, end to end)"
	@echo "make package  sam build: an arm64 bootstrap per function, ready for 'sam deploy --guided'"
	@echo "make bench    latency per route and cold starts of the local platform (figures, not a test)"

# Python tools live in a project-local venv; the stamp is redone when the pins change.
$(VENV)/.installed: infra/requirements.txt
	@echo "==> installing moto and cfn-lint into $(VENV) (first time: ~40 s)"
	@test -x $(VENV)/bin/pip || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check -r infra/requirements.txt
	@touch $@

$(VENV)/.package-installed: infra/requirements-package.txt $(VENV)/.installed
	@echo "==> installing aws-sam-cli, cargo-lambda and zig into $(VENV)"
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check -r infra/requirements-package.txt
	@touch $@

build:
	@echo "==> building every function and the local runner (first time: a few minutes)"
	cargo build --workspace

run: $(VENV)/.installed build
	@echo "==> starting moto and the local runner; Ctrl-C stops both"
	@$(RUNNER) serve --template template.yaml --params-file infra/local.params \
		--start-moto $(MOTO_SERVER) --moto-port $(MOTO_PORT) --port $(PORT) & runner=$$!; \
	trap 'kill $$runner 2>/dev/null; wait $$runner' INT TERM; \
	for _ in $$(seq 1 150); do curl -sf http://127.0.0.1:$(PORT)/_local >/dev/null && break; sleep 0.2; done; \
	if [ "$(SEED)" != "0" ]; then echo "==> seeding demo data (make run SEED=0 to skip)"; \
		infra/seed.sh http://127.0.0.1:$(PORT) || echo "seeding failed; the platform still runs"; fi; \
	wait $$runner

lint-template: $(VENV)/.installed
	@echo "==> cfn-lint template.yaml"
	$(VENV)/bin/cfn-lint template.yaml

fmt:
	cargo fmt --all

test: $(VENV)/.installed lint-template
	@echo "==> cargo fmt --check"
	cargo fmt --all -- --check
	@echo "==> building the workspace (the runner's tests run the function binaries)"
	cargo build --workspace
	@echo "==> cargo test"
	cargo test --workspace

package: $(VENV)/.package-installed
	rustup target add aarch64-unknown-linux-gnu
	PATH="$(abspath $(VENV))/bin:$$PATH" sam build --template template.yaml

bench: $(VENV)/.installed build
	infra/bench.sh $(N)

clean:
	cargo clean
	rm -rf .aws-sam
