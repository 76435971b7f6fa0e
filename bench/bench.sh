#!/usr/bin/env bash
# `npm run bench`: build if needed, start the local servers unless KAFKA_BROKERS / MONGO_URL /
# REDIS_URL are given, run every benchmark (bench/run.cjs), stop the servers again if this
# script started them. Results: bench/results/latest.json and latest.md. Not part of `npm test`.
set -euo pipefail
TOOL_NAME=bench
# shellcheck source=tools/lib.sh
source "$(dirname "$0")/../tools/lib.sh"
cd "$REPO_ROOT"
started_at=$SECONDS

ensure_node_modules
build_all

use_servers
trap stop_local_servers_if_started EXIT

# Lets the suite find the local servers' pids (for per-process CPU) under INFRA_DIR.
export BENCH_INFRA_DIR="${INFRA_DIR:-$REPO_ROOT/.infra}"
node bench/run.cjs
log "npm run bench finished in $((SECONDS - started_at)) s (build and server start included)"
