# Retail streaming pipeline: every workflow is a target; `make help` lists them.
# ENV selects where things run: local (default, the embedded emulator), localstack, aws.

SHELL        := bash
.SHELLFLAGS  := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS    += --no-print-directory

ENV          ?= local
export ENV
PYTHON       ?= python3
VENV         := .venv
PY           := $(VENV)/bin/python
STAMP        := $(VENV)/.installed-$(shell sha1sum pyproject.toml 2>/dev/null | cut -c1-12)
PYTEST_ARGS  ?=
# Parallel test workers (pytest-xdist; each gets its own emulator port after EMULATOR_PORT: docs/testing.md);
# TEST_WORKERS=0 runs serially. Per-test durations: the slowest 20 printed, all of them in reports/junit.xml.
TEST_WORKERS ?= 7
TEST_PARALLEL = $(if $(filter-out 0 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadscope)
TEST_REPORTS  = --durations=20 --junitxml=reports/junit.xml
INPUT        ?= producer/data/online_retail_sample.csv
PRODUCE_ARGS ?=
REPLAY_ARGS  ?=
BENCH_ARGS   ?=
DEMO_ARGS    ?=
# PROFILE: the topology, stream (default) or direct-put (terraform/env/profiles/); remembered per target and endpoint
PROFILE      ?=
# LINT_VALIDATE=no leaves `terraform validate` out of `make lint` (.ci/run: the suite plans every directory it checks)
LINT_VALIDATE ?= yes

.PHONY: help setup up down status reset init plan apply destroy import outputs env build produce demo replay \
        bench-lambda bench-producer test-unit test-local drills lint lint-settings fmt validate docs contract clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  \033[1m%-15s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "  ENV=$(ENV)  (local | localstack | aws)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || \
	  { echo "make: error: $(PYTHON) is missing or older than 3.11; install Python 3.11+ or pass PYTHON=python3.12" >&2; exit 2; }
	@echo "setup: creating $(VENV) with the pinned dependencies" >&2
	@$(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip > $(VENV)/install.log 2>&1 && \
	  $(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]' >> $(VENV)/install.log 2>&1 || \
	  { tail -20 $(VENV)/install.log >&2; echo "make: error: installing the dependencies failed; see $(VENV)/install.log" >&2; exit 1; }
	@rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP) ## Create the project virtualenv with pinned dependencies

up: setup ## Start the embedded emulator (ENV=local) and the search stand-in beside it, reusing healthy ones
	@$(PY) -m tools up

down: setup ## Stop the embedded emulator and the search stand-in gracefully (both keep their data)
	@$(PY) -m tools down

status: setup ## Show the target, the emulator, the Terraform state, the deployed topology and the profile
	@$(PY) -m tools status

reset: setup ## Wipe the embedded emulator and this endpoint's local Terraform state
	@$(PY) -m tools reset

build: setup ## Build the Lambda zips into dist/ (reproducible, Lambda-platform wheels)
	@$(PY) -m tools.build_lambdas

bench-lambda: setup ## Ingest handler time per 1000-record batch: the lab's approach vs ours (one table)
	@$(PY) -m bench.bench_lambda $(BENCH_ARGS)

init: setup ## Write the Terraform CLI config and override, then terraform init
	@$(PY) -m tools init

plan: build ## terraform plan against ENV (PROFILE=stream|direct-put); a summary, the full plan in a log
	@$(PY) -m tools plan

apply: build ## Deploy the stack to ENV (PROFILE=stream|direct-put, remembered); a summary, the full output in a log
	@$(PY) -m tools apply

destroy: build ## Destroy the stack in ENV
	@$(PY) -m tools destroy

import: setup ## Adopt a resource left outside the state: make import ADDR='module.x.aws_y.this' ID=<id>
	@$(PY) -m tools import "$(ADDR)" "$(ID)"

outputs: setup ## Print the stack's outputs
	@$(PY) -m tools outputs

env: setup ## Exports for terraform, aws and retail-producer by hand: eval "$(make -s env)"
	@$(PY) -m tools env

produce: setup ## Stream INPUT (default: the shipped sample) into the stack of ENV; PRODUCE_ARGS adds flags
	@[ -f "$(INPUT)" ] || { echo "produce: error: INPUT='$(INPUT)' is not a file; give the CSV to send, e.g. make produce INPUT=online_retail_II.csv" >&2; exit 2; }
	@$(PY) -m tools env >/dev/null  # a bad ENV, EMULATOR_PORT, AWS_ENDPOINT_URL, AWS_REGION or PROFILE stops here, with its reason
	@if [ "$(ENV)" = local ]; then $(PY) -m tools up; fi
	@if ! reason=$$($(PY) -m tools destination 2>&1 >/dev/null); then \
	  echo "produce: $${reason#tools: error: }; deploying it first (make apply)" >&2; \
	  $(MAKE) apply; \
	fi; \
	read -r service name <<< "$$($(PY) -m tools destination)"; \
	eval "$$($(PY) -m tools env)"; \
	echo "produce: $(INPUT) -> $$service $$name ($${AWS_ENDPOINT_URL:-AWS}, $$AWS_REGION)" >&2; \
	$(PY) -m producer -I "$(INPUT)" --service-name "$$service" --stream-name "$$name" \
	  --region-name "$$AWS_REGION" $${AWS_ENDPOINT_URL:+--endpoint-url "$$AWS_ENDPOINT_URL"} $(PRODUCE_ARGS)

# What `make replay` re-drives, from the stack's outputs (JSON on stdin): the replay's flags, or exit 1 when the stack
# has no ingest function.
define REPLAY_SOURCES
import json, shlex, sys
outputs = json.loads(sys.stdin.read() or "{}")
value = lambda name: (outputs.get(name) or {}).get("value")
if not value("ingest_function_name"):
    sys.exit(1)
print(shlex.join(["--bucket", value("ingest_failure_bucket"), "--prefix", value("ingest_failure_prefix") or "aws/lambda/",
                  "--queue-url", value("ingest_dead_letter_queue_url"),
                  "--opensearch-endpoint", value("ingest_opensearch_endpoint"), "--index", value("opensearch_index")]))
endef
export REPLAY_SOURCES

replay: setup ## Re-drive every record the search branch did not index (dead letters, failed batches); REPLAY_ARGS=--dry-run lists
	@$(PY) -m tools env >/dev/null  # a bad ENV, EMULATOR_PORT, AWS_ENDPOINT_URL or AWS_REGION stops here, with its reason
	@if [ "$(ENV)" = local ]; then $(PY) -m tools up; fi
	@$(PY) -m tools outputs >/dev/null 2>&1 || true  # initialises Terraform if needed, so the next call prints JSON only
	@flags="$$($(PY) -m tools outputs -json 2>/dev/null | $(PY) -c "$$REPLAY_SOURCES")" || \
	  { echo "replay: error: the stack of ENV=$(ENV) has no ingest function (nothing deployed, or no search endpoint): nothing to replay; make apply first" >&2; exit 2; }; \
	eval "$$($(PY) -m tools env)"; \
	eval "set -- $$flags"; \
	PYTHONPATH=lambda_src $(PY) -m ingest_opensearch.replay "$$@" --region "$$AWS_REGION" \
	  $${AWS_ENDPOINT_URL:+--endpoint-url "$$AWS_ENDPOINT_URL"} $(REPLAY_ARGS)

demo: build ## The whole pipeline on the emulator: apply, stream INPUT, query, compact; report in reports/ (~2 min)
	@$(PY) -m demo -I "$(INPUT)" $(DEMO_ARGS)

bench-producer: setup ## Producer benchmark on the emulator: lab loop vs raw ceiling vs producer, RSS (~1 min)
	@$(PY) -m bench.producer_bench $(BENCH_ARGS)

test-unit: setup ## Fast tests: no emulator, no Terraform
	@$(PY) -m pytest -m unit $(PYTEST_ARGS)

test-local: build ## Every test: unit, Terraform plan, and apply/data-flow on the emulator (parallel)
	@$(PY) -m pytest $(TEST_PARALLEL) $(TEST_REPORTS) $(PYTEST_ARGS)

drills: build ## Failure drills (emulator restart, interrupted apply, faults): a table of sent/arrived/lost
	@$(PY) -m pytest -m drill $(TEST_PARALLEL) $(PYTEST_ARGS)

fmt: setup ## Format Python and Terraform in place
	@$(PY) -m ruff format .
	@$(PY) -m ruff check --fix .
	@$(PY) -m tools fmt

lint-settings:
	@case "$(LINT_VALIDATE)" in yes|no) ;; *) echo "lint: error: LINT_VALIDATE='$(LINT_VALIDATE)' must be yes or no (no leaves terraform validate out)" >&2; exit 2;; esac

lint: lint-settings build ## ruff, terraform fmt -check, validate, module READMEs and contract views current, checkov
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .
	@$(PY) -m tools fmt -check
	@$(if $(filter no,$(LINT_VALIDATE)),echo "lint: terraform validate left out (LINT_VALIDATE=no)",$(PY) -m tools validate)
	@$(PY) -m tools.module_docs --check
	@$(PY) -m tools.contract --check
	@$(PY) -m tools.security_lint

docs: setup ## Regenerate the module README tables and the data contract's views
	@$(PY) -m tools.module_docs
	@$(PY) -m tools.contract

contract: setup ## Regenerate the views of contract/record.schema.json (code, index template, Terraform, docs)
	@$(PY) -m tools.contract

validate: build ## terraform validate the root and every module
	@$(PY) -m tools validate

clean: ## Stop the emulator, remove venvs, emulator data, local state, builds and reports
	@if [ -x $(PY) ]; then ENV=local $(PY) -m tools down || true; fi
	@rm -rf $(VENV) .local .state/local .state/localstack dist reports .pytest_cache .ruff_cache
	@rm -rf terraform/.terraform terraform/harness_override.tf modules/*/.terraform tests/fixtures/*/.terraform
	@echo "clean: done (.state/aws, the state of real deployments, is kept)"
