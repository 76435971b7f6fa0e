#!/usr/bin/env bash
# `npm start`: install what is missing, build, start the local Kafka / Mongo-compatible / Redis
# servers and every app in the foreground. Ctrl-C stops the apps and the servers it started.
set -euo pipefail
TOOL_NAME=start
# shellcheck source=tools/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

ensure_node_modules
build_all

use_servers
trap stop_local_servers_if_started EXIT

# Development defaults; override any of them in the environment.
export NODE_ENV="${NODE_ENV:-development}"
export LOG_LEVEL="${LOG_LEVEL:-info}"
# The notifier in local development: pushes may go to a push service on this machine (http,
# loopback) — never in production, where the notifier refuses the flag; without VAPID_* set it
# generates a development key pair into .data/notifier (git-ignored) and says so; the queue
# dashboard (http://127.0.0.1:8083/admin/queues) takes this token as its Basic-auth password.
export PUSH_ALLOW_INSECURE_ENDPOINTS="${PUSH_ALLOW_INSECURE_ENDPOINTS:-true}"
export ADMIN_TOKEN="${ADMIN_TOKEN:-local-development-admin-token}"
# SmartLinks in local development: targets on these hosts (and their subdomains), plain http
# allowed for a company site running on this machine; share URLs point at the local gateway.
export SMARTLINK_DEFAULT_ALLOWED_HOSTS="${SMARTLINK_DEFAULT_ALLOWED_HOSTS:-localhost,example.com}"
export SMARTLINK_ALLOW_HTTP_TARGETS="${SMARTLINK_ALLOW_HTTP_TARGETS:-true}"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://localhost:8080}"

log "starting the apps (Ctrl-C stops everything)"
set +e
npx concurrently --names gateway,command,query,notifier,projection \
  --prefix-colors blue,green,magenta,yellow,cyan --kill-others-on-fail --kill-signal SIGTERM \
  "node apps/gateway/dist/main.js" \
  "node apps/contacts-command/dist/main.js" \
  "node apps/contacts-query/dist/main.js" \
  "node apps/notifier/dist/main.js" \
  "node apps/contacts-projection/dist/main.js"
status=$?
set -e
# Ctrl-C (130) and SIGTERM (143) are the normal way out.
case "$status" in 0 | 130 | 143) exit 0 ;; *) exit "$status" ;; esac
