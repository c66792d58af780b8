#!/usr/bin/env bash
# Builds Slipway's test control plane from the Go module proxy:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (plus its stage YAMLs).
# Pinned, idempotent (each binary is skipped when present with the right version), and cached
# outside the checkout so every clone on this machine reuses it:
#   ${SLIPWAY_CACHE:-$HOME/.cache/slipway}/control-plane/k8s-<ver>_etcd-<ver>_kwok-<ver>/bin
# Usage: scripts/build-control-plane.sh [--print-dir]
set -euo pipefail

K8S_VERSION=v1.36.3
ETCD_VERSION=v3.6.8
KWOK_VERSION=v0.8.0

CACHE_ROOT=${SLIPWAY_CACHE:-$HOME/.cache/slipway}
DIR="$CACHE_ROOT/control-plane/k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}"
BIN="$DIR/bin"

if [[ "${1:-}" == "--print-dir" ]]; then echo "$DIR"; exit 0; fi

LOG_PREFIX=build-control-plane
# shellcheck source=lib/go-build.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/go-build.sh"
require_go

export CGO_ENABLED=0 GOFLAGS=-mod=mod
mkdir -p "$BIN" "$DIR/work"
START=$(date +%s)

# --- kube-apiserver, kube-controller-manager, kube-scheduler --------------------------------------
# k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with ./staging paths,
# which only hold when it is the main module. A wrapper module replaces each with the published
# v0.<minor>.<patch>, read from the replace block of the go.mod the proxy serves.
build_kubernetes() {
  local W="$DIR/work/kubernetes" STG="v0.${K8S_VERSION#v1.}" MIN
  MIN=$(echo "$K8S_VERSION" | cut -d. -f2)
  rm -rf "$W"; mkdir -p "$W"; cd "$W"
  run_step "kubernetes: init wrapper module" "local" go mod init local.test/slipway-k8sbins
  go mod edit -go=1.26
  run_step "kubernetes: download go.mod" "k8s.io/kubernetes@$K8S_VERSION" go mod download -json "k8s.io/kubernetes@$K8S_VERSION"
  local GOMOD
  GOMOD=$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p' "$DIR/work/kubernetes:_download_go.mod.log")
  [[ -f "$GOMOD" ]] || fail "kubernetes: read go.mod" "k8s.io/kubernetes@$K8S_VERSION (no GoMod path in download output)"
  local mods; mods=$(sed -n 's#^[[:space:]]*\(k8s\.io/[^[:space:]]*\) => \./staging/.*#\1#p' "$GOMOD")
  [[ -n "$mods" ]] || fail "kubernetes: read go.mod" "k8s.io/kubernetes@$K8S_VERSION has no staging replace block"
  for m in $mods; do go mod edit "-replace=$m=$m@$STG"; done
  local gd; gd=$(sed -n 's/^godebug default=\(.*\)$/\1/p' "$GOMOD")
  [[ -n "$gd" ]] && go mod edit "-godebug=default=$gd"
  go mod edit "-require=k8s.io/kubernetes@$K8S_VERSION"
  for c in kube-apiserver kube-controller-manager kube-scheduler; do go mod edit "-tool=k8s.io/kubernetes/cmd/$c"; done
  run_step "kubernetes: go mod tidy" "k8s.io/kubernetes@$K8S_VERSION and its $STG staging modules" go mod tidy
  local LD="-s -w"
  for p in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    LD="$LD -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$MIN"
    LD="$LD -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    if have_version "$c" "$K8S_VERSION" --version; then step "$c $K8S_VERSION already built"; continue; fi
    run_step "build $c" "k8s.io/kubernetes/cmd/$c@$K8S_VERSION" \
      go build -trimpath -tags selinux,notest -ldflags "$LD" -o "$BIN/$c.tmp" "k8s.io/kubernetes/cmd/$c"
    mv "$BIN/$c.tmp" "$BIN/$c"
  done
}

build_etcd() {
  if have_version etcd "etcd Version: ${ETCD_VERSION#v}" --version; then step "etcd $ETCD_VERSION already built"; return; fi
  local W="$DIR/work/etcd"
  rm -rf "$W"; mkdir -p "$W"; cd "$W"
  run_step "etcd: init wrapper module" "local" go mod init local.test/slipway-etcdbin
  go mod edit -go=1.26 "-require=go.etcd.io/etcd/server/v3@$ETCD_VERSION" -tool=go.etcd.io/etcd/server/v3
  run_step "etcd: go mod tidy" "go.etcd.io/etcd/server/v3@$ETCD_VERSION" go mod tidy
  run_step "build etcd" "go.etcd.io/etcd/server/v3@$ETCD_VERSION" \
    go build -trimpath -ldflags "-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3
  mv "$BIN/etcd.tmp" "$BIN/etcd"
}

build_kwok() {
  if ! have_version kwok "${KWOK_VERSION}" --version; then
    run_step "build kwok" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" \
      env GOBIN="$DIR/work/gobin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
    mv "$DIR/work/gobin/kwok" "$BIN/kwok"
  else
    step "kwok $KWOK_VERSION already built"
  fi
  # kwok refuses to start without stages; its "fast" stages ship in the module zip.
  local KW; KW="$(go env GOMODCACHE)/sigs.k8s.io/kwok@$KWOK_VERSION/kustomize/stage"
  if [[ ! -d "$KW" ]]; then
    run_step "kwok: download stages" "sigs.k8s.io/kwok@$KWOK_VERSION" go mod download "sigs.k8s.io/kwok@$KWOK_VERSION"
  fi
  local out="$DIR/kwok-stages.yaml"
  : >"$out.tmp"
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    [[ -f "$KW/$f" ]] || fail "kwok: stages" "sigs.k8s.io/kwok@$KWOK_VERSION lacks kustomize/stage/$f"
    { echo '---'; cat "$KW/$f"; } >>"$out.tmp"
  done
  mv "$out.tmp" "$out"
}

build_etcd
build_kwok
build_kubernetes

cat >"$DIR/versions.json" <<JSON
{"kubernetes":"$K8S_VERSION","etcd":"$ETCD_VERSION","kwok":"$KWOK_VERSION"}
JSON
step "done in $(( $(date +%s) - START ))s: $BIN"
ls -la "$BIN" >&2
