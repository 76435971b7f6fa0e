#!/usr/bin/env bash
# API checks that need tools from outside npm, run against real servers:
#   fuzz  schemathesis (PyPI, installed into .infra/api-checks/venv) fuzzes the running stack through
#         the gateway from its /openapi.json, one bounded run per scope (ST_MAX_EXAMPLES per operation,
#         default 25; ST_MAX_TIME seconds per scope, default 150). Reports: .infra/api-checks/*.json
#   docs  Debian's chromium (apt-get, when missing) renders /docs headless; the contacts operations
#         must be on the page.
#   all   both (default).
# The apps are started from their builds by the specs themselves, so this builds first.
set -euo pipefail
TOOL_NAME=api-checks
# shellcheck source=tools/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

what="${1:-all}"
case "$what" in fuzz | docs | all) ;; *) die "usage: bash tools/api-checks.sh [fuzz|docs|all]" ;; esac

ensure_node_modules
build_all

specs=()
if [ "$what" = docs ] || [ "$what" = all ]; then
  if ! command -v chromium >/dev/null 2>&1 && [ -z "${CHROMIUM_BIN:-}" ]; then
    command -v apt-get >/dev/null 2>&1 || die "chromium is missing and there is no apt-get: install Chromium, or set CHROMIUM_BIN"
    log "installing chromium from Debian's packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  specs+=(src/checks/docs-page.e2e.spec.ts)
fi
if [ "$what" = fuzz ] || [ "$what" = all ]; then
  if [ -z "${SCHEMATHESIS_BIN:-}" ]; then
    venv=.infra/api-checks/venv
    if [ ! -x "$venv/bin/st" ]; then
      command -v python3 >/dev/null 2>&1 || die "python3 is needed for schemathesis"
      log "installing schemathesis into $venv"
      python3 -m venv "$venv"
      "$venv/bin/pip" install -q 'schemathesis>=4.3,<5'
    fi
    export SCHEMATHESIS_BIN="$PWD/$venv/bin/st"
  fi
  export API_FUZZ=1
  specs+=(src/checks/api-fuzz.e2e.spec.ts)
fi

started_infra=false
if [ -z "${KAFKA_BROKERS:-}" ] || [ -z "${MONGO_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
  if ! bash tools/infra.sh status >/dev/null 2>&1; then started_infra=true; fi
  bash tools/infra.sh start
  eval "$(bash tools/infra.sh env)"
fi
cleanup() {
  if [ "$started_infra" = true ]; then bash tools/infra.sh stop || true; fi
}
trap cleanup EXIT

cd apps/gateway
npx jest --runInBand "${specs[@]}"
