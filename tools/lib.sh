# Shared by tools/*.sh: repo root, logging, and "install what is missing".
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE="${NX_SKIP_NX_CACHE:-false}"

log() { printf '\033[1m[%s]\033[0m %s\n' "${TOOL_NAME:-reps}" "$*" >&2; }
die() { printf '[%s] error: %s\n' "${TOOL_NAME:-reps}" "$*" >&2; exit 1; }

require_node() {
  command -v node >/dev/null || die "node not found — install Node.js 20 (>= 20.19)"
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 20 ] || die "Node.js $major is too old — install Node.js 20 (>= 20.19)"
}

# npm ci when node_modules is missing or older than the lockfile.
ensure_node_modules() {
  require_node
  local stamp="$REPO_ROOT/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$REPO_ROOT/package-lock.json" -nt "$stamp" ]; then
    log "installing npm dependencies (npm ci)"
    (cd "$REPO_ROOT" && npm ci --no-audit --no-fund)
  fi
}

build_all() {
  log "building (tsc -b)"
  (cd "$REPO_ROOT" && npx tsc -b tsconfig.json)
}

# Servers: the ones KAFKA_BROKERS / MONGO_URL / REDIS_URL name, else the local ones (started if
# needed, their addresses exported). Call stop_local_servers_if_started on exit: it stops them
# only if this script started them, never servers someone else is using.
LOCAL_SERVERS_STARTED=false
use_servers() {
  if [ -n "${KAFKA_BROKERS:-}" ] && [ -n "${MONGO_URL:-}" ] && [ -n "${REDIS_URL:-}" ]; then return 0; fi
  if ! bash "$REPO_ROOT/tools/infra.sh" status >/dev/null 2>&1; then LOCAL_SERVERS_STARTED=true; fi
  bash "$REPO_ROOT/tools/infra.sh" start
  eval "$(bash "$REPO_ROOT/tools/infra.sh" env)"
}
stop_local_servers_if_started() {
  if [ "$LOCAL_SERVERS_STARTED" = true ]; then
    log "stopping the local servers"
    bash "$REPO_ROOT/tools/infra.sh" stop || true
  fi
}
