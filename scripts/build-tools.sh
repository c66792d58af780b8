#!/usr/bin/env bash
# Builds the manifest tools Slipway renders with: kustomize v5 and helm v3, from the Go module proxy.
# Pinned, idempotent (a binary is skipped when present with the right version), and cached outside
# the checkout beside the control plane, so every clone on this machine reuses it:
#   ${SLIPWAY_CACHE:-$HOME/.cache/slipway}/tools/bin/{kustomize,helm}
# The versions are the newest of each major on the proxy that build with Go 1.26
# (`go list -m -versions`; kustomize v5.8.3 already needs Go 1.27).
# Usage: scripts/build-tools.sh [--print-dir]
set -euo pipefail

KUSTOMIZE_VERSION=v5.8.2
HELM_VERSION=v3.22.0
# The Kubernetes version `helm template` reports as .Capabilities.KubeVersion: the control plane's.
HELM_K8S_MAJOR=1
HELM_K8S_MINOR=36

CACHE_ROOT=${SLIPWAY_CACHE:-$HOME/.cache/slipway}
DIR="$CACHE_ROOT/tools"
BIN="$DIR/bin"

if [[ "${1:-}" == "--print-dir" ]]; then echo "$BIN"; exit 0; fi

LOG_PREFIX=build-tools
# shellcheck source=lib/go-build.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/go-build.sh"
require_go

# GOFLAGS=-mod=mod would be rejected by `go install module@version`; clear it for these builds.
export CGO_ENABLED=0 GOFLAGS=
mkdir -p "$BIN" "$DIR/work"
START=$(date +%s)

# install_tool NAME PACKAGE@VERSION LDFLAGS: `go install` into a private GOBIN, then move into place
# so an interrupted build never leaves a half-written binary under bin/.
install_tool() {
  local name=$1 pkg=$2 ld=$3 gobin="$DIR/work/gobin"
  rm -rf "$gobin"; mkdir -p "$gobin"
  run_step "build $name" "$pkg" env GOBIN="$gobin" go install -trimpath -ldflags "$ld" "$pkg"
  mv "$gobin/$name" "$BIN/$name"
}

build_kustomize() {
  # kustomize reads its version from the module's build info, which `go install m@v` records.
  if have_version kustomize "$KUSTOMIZE_VERSION" version; then step "kustomize $KUSTOMIZE_VERSION already built"; return; fi
  install_tool kustomize "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" "-s -w"
}

build_helm() {
  if have_version helm "$HELM_VERSION" version --short; then step "helm $HELM_VERSION already built"; return; fi
  local ld="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  ld="$ld -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=$HELM_K8S_MAJOR"
  ld="$ld -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$HELM_K8S_MINOR"
  install_tool helm "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" "$ld"
}

build_kustomize
build_helm

have_version kustomize "$KUSTOMIZE_VERSION" version || fail "check kustomize" "$BIN/kustomize does not report $KUSTOMIZE_VERSION"
have_version helm "$HELM_VERSION" version --short || fail "check helm" "$BIN/helm does not report $HELM_VERSION"

cat >"$DIR/versions.json" <<JSON
{"kustomize":"$KUSTOMIZE_VERSION","helm":"$HELM_VERSION","helmKubeVersion":"v$HELM_K8S_MAJOR.$HELM_K8S_MINOR.0"}
JSON
step "done in $(( $(date +%s) - START ))s: $BIN"
ls -la "$BIN" >&2
