#!/usr/bin/env bash
# `npm run chaos`: install what is missing, build, and run the fault-injection suite
# (chaos/run.cjs) against its own private servers. Not part of `npm test` (its smoke version is).
set -euo pipefail
TOOL_NAME=chaos
# shellcheck source=tools/lib.sh
source "$(dirname "$0")/../tools/lib.sh"
cd "$REPO_ROOT"
started_at=$SECONDS
ensure_node_modules
build_all
status=0
node chaos/run.cjs || status=$?
log "npm run chaos finished in $((SECONDS - started_at)) s (build included)"
exit "$status"
