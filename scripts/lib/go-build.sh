# Shared by the build scripts (sourced, not run): progress and failure messages, the Go version
# check, and running a build step so that a failure names the step and the module.
# The sourcing script sets LOG_PREFIX, DIR (its cache folder) and BIN before calling these.

step() { printf '[%s] %s\n' "$LOG_PREFIX" "$*" >&2; }
fail() { printf '[%s] FAILED at step "%s": %s\n' "$LOG_PREFIX" "$1" "$2" >&2; exit 1; }

# require_go: Go >= 1.26 on PATH, or fail at step "check go".
require_go() {
  command -v go >/dev/null 2>&1 || fail "check go" "the 'go' command is not on PATH (need Go >= 1.26; see README prerequisites)"
  local minor
  minor=$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
  [[ -n "$minor" && "$minor" -ge 26 ]] || fail "check go" "Go $(go env GOVERSION) is too old; need go1.26 or newer"
}

# run_step NAME MODULE CMD...: runs CMD with its output in a log, and on failure names the step and
# the module involved.
run_step() {
  local name=$1 module=$2; shift 2
  local log="$DIR/work/${name// /_}.log"
  step "$name ..."
  if ! "$@" >"$log" 2>&1; then
    tail -n 25 "$log" >&2
    fail "$name" "module $module (full log: $log)"
  fi
}

# have_version BINARY EXPECTED-SUBSTRING VERSION-ARGS...: the binary is built at that version.
have_version() {
  local b=$1 want=$2; shift 2
  [[ -x "$BIN/$b" ]] && "$BIN/$b" "$@" 2>/dev/null | grep -q -- "$want"
}
