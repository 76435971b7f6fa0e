#!/usr/bin/env bash
# `npm test`: install what is missing, type-check, lint, start the local servers if needed,
# run every project's tests through Nx, and print one "N passed, N failed" line.
set -euo pipefail
TOOL_NAME=test
# shellcheck source=tools/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

ensure_node_modules
build_all
log "type-checking tests (tsc -p tsconfig.spec.json)"
npx tsc -p tsconfig.spec.json
if [ -f tools/generate-docs.cjs ]; then
  log "checking generated docs are current"
  node tools/generate-docs.cjs --check
fi
log "linting (module boundaries enforced)"
npx nx run-many -t lint --output-style=static

# Use servers given by the environment; otherwise the local ones, stopped again at the end
# if this script started them.
use_servers
trap stop_local_servers_if_started EXIT

# The FerretDB wrapper's own Go tests, when it is what serves MongoDB here (infra.sh has just
# built it, so the build cache is warm: same tags and -trimpath).
if ! command -v mongod >/dev/null 2>&1 && command -v go >/dev/null 2>&1 && [ -f tools/ferretdb/go.mod ]; then
  log "testing the FerretDB wrapper (go test)"
  (cd tools/ferretdb && go test -trimpath -tags ferretdb_no_postgresql ./...)
fi

summary="$(mktemp)"
export TEST_SUMMARY_FILE="$summary"
status=0
# Two projects at a time (two cores); each project's suites run in one worker because the
# integration suites share the servers.
npx nx run-many -t test --parallel=2 --output-style=stream -- --runInBand "$@" || status=$?

node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").filter(Boolean).map(JSON.parse);
  const sum = (k) => lines.reduce((n, l) => n + l[k], 0);
  console.log(`${sum("passed")} passed, ${sum("failed")} failed, ${sum("skipped")} skipped`);
' "$summary"
rm -f "$summary"
exit "$status"
