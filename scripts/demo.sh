#!/usr/bin/env bash
# Slipway's main job on its embedded defaults. Today: set up (packages, npm ci, control plane
# build), bring the dev cluster up, deploy the seed's my-service onto it and show it running.
# Later capabilities grow this into the whole push-to-production pipeline.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

slipway() { node bin/slipway.js "$@"; }

slipway dev-cluster up >/dev/null
KUBECONFIG_PATH=$(slipway dev-cluster kubeconfig)
slipway dev-cluster status

kc() { kubectl --kubeconfig "$KUBECONFIG_PATH" "$@"; }
echo
echo "[demo] deploying examples/demo/my-service.yaml"
kc apply --server-side --field-manager=slipway-demo -f examples/demo/my-service.yaml
kc -n my-service-dev rollout status deployment/my-service --timeout=120s
echo
kc get nodes
kc -n my-service-dev get deployment,replicaset,pods -o wide
echo
echo "[demo] the dev cluster keeps running; use it with:"
echo "  kubectl --kubeconfig \"$KUBECONFIG_PATH\" get pods -A"
echo "  node bin/slipway.js dev-cluster down"
