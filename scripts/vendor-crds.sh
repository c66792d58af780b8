#!/usr/bin/env bash
# Copies the upstream CRDs Slipway installs when a cluster lacks them (Argo CD's Application,
# Argo Rollouts' kinds) from the pinned upstream modules in the Go module cache into the source
# tree. Run after changing a version below; the copies are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
ARGO_CD=github.com/argoproj/argo-cd/v3@v3.5.1
ARGO_ROLLOUTS=github.com/argoproj/argo-rollouts@v1.9.1
# Test fixture only (traffic routing through HTTPRoutes); v1.7+ needs Go 1.27.
GATEWAY_API=sigs.k8s.io/gateway-api@v1.6.3

dir_of() { go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p'; }
cd_dir=$(dir_of "$ARGO_CD")
ro_dir=$(dir_of "$ARGO_ROLLOUTS")
[[ -d "$cd_dir" && -d "$ro_dir" ]] || { echo "vendor-crds: could not download $ARGO_CD or $ARGO_ROLLOUTS" >&2; exit 1; }

install -m 0644 "$cd_dir/manifests/crds/application-crd.yaml" src/sync/crds/application-crd.yaml
for f in rollout analysis-template cluster-analysis-template analysis-run experiment; do
  install -m 0644 "$ro_dir/manifests/crds/$f-crd.yaml" "src/rollouts/crds/$f-crd.yaml"
done
gw_dir=$(dir_of "$GATEWAY_API")
[[ -d "$gw_dir" ]] || { echo "vendor-crds: could not download $GATEWAY_API" >&2; exit 1; }
install -m 0644 "$gw_dir/config/crd/standard/gateway.networking.k8s.io_httproutes.yaml" \
  test/fixtures/gateway-api/gateway.networking.k8s.io_httproutes.yaml
printf '%s\n' "$GATEWAY_API" > test/fixtures/gateway-api/SOURCE
printf '%s\n' "$ARGO_CD" > src/sync/crds/SOURCE
printf '%s\n' "$ARGO_ROLLOUTS" > src/rollouts/crds/SOURCE
echo "vendored CRDs from $ARGO_CD, $ARGO_ROLLOUTS and $GATEWAY_API" >&2
