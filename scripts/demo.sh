#!/usr/bin/env bash
# Slipway's main job on its embedded defaults, all on this machine with real parts (no Docker):
# a commit pushed to a service repository is built by the seed's CI workflow (make, buildah, a
# local docker-registry), its short-SHA tag is released into the dev overlay of a config
# repository, synced onto the dev cluster, promoted to staging automatically once dev is healthy,
# and to prod when approved.
#
# Everything the demo makes lives in ${SLIPWAY_CACHE:-~/.cache/slipway}/demo, recreated each run.
# The registry and the controller it starts are stopped on exit (by pid, and a run killed before
# it could clean up is cleaned up by the next one); the dev cluster stays up.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

bash scripts/setup.sh

slipway() { node "$ROOT/bin/slipway.js" "$@"; }
if [[ -t 1 ]]; then say() { printf '\n\033[1m[demo] %s\033[0m\n' "$*"; }; else say() { printf '\n[demo] %s\n' "$*"; }; fi
START=$SECONDS

DEMO="${SLIPWAY_CACHE:-$HOME/.cache/slipway}/demo"
PIDS="$DEMO/pids"

# A process this demo started, still running: its command line names the demo folder.
ours() { [[ -r /proc/$1/cmdline ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$DEMO"; }
stop_ours() {
  [[ -f $PIDS ]] || return 0
  local pid
  while read -r pid; do
    if [[ -n $pid ]] && ours "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do ours "$pid" || break; sleep 0.1; done
      ours "$pid" && kill -KILL "$pid" 2>/dev/null || true
    fi
  done <"$PIDS"
  rm -f "$PIDS"
}
# A previous run killed before its trap ran leaves its processes behind: stop them (only those).
stop_ours
rm -rf "$DEMO"
mkdir -p "$DEMO"
trap 'stop_ours' EXIT
trap 'exit 130' INT TERM

say "dev cluster"
slipway dev-cluster up >/dev/null
KUBECONFIG_PATH=$(slipway dev-cluster kubeconfig)
export KUBECONFIG="$KUBECONFIG_PATH"
kc() { kubectl --kubeconfig "$KUBECONFIG_PATH" "$@"; }
slipway dev-cluster status | head -1

say "local OCI registry (docker-registry) on 127.0.0.1"
PORT=$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
REGISTRY="127.0.0.1:$PORT"
mkdir -p "$DEMO/registry/data"
# As test/support/registry.ts configures it: filesystem storage in the demo folder, loopback only.
cat >"$DEMO/registry/config.yml" <<EOF
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $DEMO/registry/data }
  delete: { enabled: true }
http:
  addr: $REGISTRY
  secret: $(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
EOF
/usr/bin/docker-registry serve "$DEMO/registry/config.yml" >"$DEMO/registry/registry.log" 2>&1 &
echo $! >>"$PIDS"
for _ in $(seq 100); do curl -fsS -o /dev/null "http://$REGISTRY/v2/" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "http://$REGISTRY/v2/" || { tail -20 "$DEMO/registry/registry.log"; exit 1; }
echo "registry http://$REGISTRY (storage $DEMO/registry/data)"

say "repositories: the service (test/fixtures/sample-service) and the config repo (test/manifests/fixtures/deploy-configs)"
git_() { git -c user.name=Demo -c user.email=demo@example.com -c init.defaultBranch=main "$@"; }
mkdir -p "$DEMO/git"
SERVICE_BARE="$DEMO/git/my-service.git"
CONFIG_BARE="$DEMO/git/deploy-configs.git"
git_ init --quiet --bare "$SERVICE_BARE"
git_ init --quiet --bare "$CONFIG_BARE"
cp -r test/fixtures/sample-service "$DEMO/my-service"
git_ -C "$DEMO/my-service" init --quiet
git_ -C "$DEMO/my-service" add --all
git_ -C "$DEMO/my-service" commit --quiet -m 'sample service'
git_ -C "$DEMO/my-service" remote add origin "$SERVICE_BARE"
git_ -C "$DEMO/my-service" push --quiet origin main
cp -r test/manifests/fixtures/deploy-configs "$DEMO/deploy-configs"
git_ -C "$DEMO/deploy-configs" init --quiet
git_ -C "$DEMO/deploy-configs" add --all
git_ -C "$DEMO/deploy-configs" commit --quiet -m 'my-service: dev, staging, prod overlays'
git_ -C "$DEMO/deploy-configs" remote add origin "$CONFIG_BARE"
git_ -C "$DEMO/deploy-configs" push --quiet origin main
echo "service $SERVICE_BARE"
echo "config  file://$CONFIG_BARE"

say "pipeline $DEMO/slipway.yaml (dev auto, staging auto, prod manual)"
cat >"$DEMO/slipway.yaml" <<EOF
apiVersion: slipway.dev/v1alpha1
kind: Pipeline
metadata: { name: my-service }
spec:
  service: my-service
  source: { repo: $SERVICE_BARE, branch: main, repository: myorg/my-service }
  image: { repository: $REGISTRY/myorg/my-service }
  config: { repo: file://$CONFIG_BARE, path: apps/my-service }
  # The seed workflow pushes to \${{ env.REGISTRY }}: the local registry instead of ghcr.io. trivy is
  # not installed here, so the scan step passes with a warning instead of failing the run.
  env: { REGISTRY: $REGISTRY }
  scanOptional: true
  environments:
    - { name: dev, overlay: overlays/dev, application: my-service-dev }
    - { name: staging, overlay: overlays/staging, application: my-service-staging }
    - { name: prod, overlay: overlays/prod, application: my-service-prod, promotion: { type: manual } }
EOF
cat "$DEMO/slipway.yaml"

say "a fresh start on the dev cluster: the last run's Applications and namespaces are removed"
kc delete application -n argocd my-service-dev my-service-staging my-service-prod --ignore-not-found \
  --wait=false >/dev/null 2>&1 || true
kc delete namespace my-service-dev my-service-staging my-service-prod --ignore-not-found --timeout=90s
kc create namespace argocd --dry-run=client -o yaml | kc apply -f - >/dev/null

say "controller (Applications, Rollouts, analysis, the pipeline); log $DEMO/controller.log"
# node itself in the background (not the shell function): $! is then the controller's own pid.
node "$ROOT/bin/slipway.js" controller --kubeconfig "$KUBECONFIG_PATH" --pipeline "$DEMO/slipway.yaml" \
  --state "$DEMO/state" --poll-interval 3s --pipeline-interval 2s >"$DEMO/controller.log" 2>&1 &
echo $! >>"$PIDS"
for _ in $(seq 150); do grep -q 'running pipelines' "$DEMO/controller.log" && break; sleep 0.2; done
grep -q 'running pipelines' "$DEMO/controller.log" || { tail -20 "$DEMO/controller.log"; exit 1; }
cat "$DEMO/controller.log"

say "the seed's Applications for dev, staging and prod (repoURL: the config repo; the rest as the seed has it)"
for env in dev staging prod; do
  sed -e "s|^  name: my-service-dev|  name: my-service-$env|" \
    -e "s|repoURL: .*|repoURL: file://$CONFIG_BARE|" \
    -e "s|path: apps/my-service/overlays/dev|path: apps/my-service/overlays/$env|" \
    -e "s|namespace: my-service-dev|namespace: my-service-$env|" \
    examples/demo/application.yaml | kc apply -f -
done

say "waiting for the seed's release (abc1234) to sync in dev, staging and prod"
for env in dev staging prod; do
  for _ in $(seq 120); do
    [[ $(kc -n argocd get application "my-service-$env" -o jsonpath='{.status.sync.status}' 2>/dev/null) == Synced ]] && break
    sleep 1
  done
done
slipway app list

say "hook: pushes to $SERVICE_BARE run the pipeline (CI → bundle → release into dev)"
slipway ci hook install --repo "$SERVICE_BARE" --pipeline "$DEMO/slipway.yaml" --state "$DEMO/state" --foreground

say "a commit to the service, pushed (the push waits for the CI run; trivy is absent: scan skipped with a warning)"
sed -i "s|'world'|'Slipway'|" "$DEMO/my-service/src/greeting.js"
sed -i "s|hello, world|hello, Slipway|g" "$DEMO/my-service/test/unit/greeting.test.js" "$DEMO/my-service/test/integration/server.test.js"
git_ -C "$DEMO/my-service" commit --quiet -am 'greet Slipway by default'
FULL_SHA=$(git -C "$DEMO/my-service" rev-parse HEAD)
SHA=${FULL_SHA:0:7}
CI_START=$SECONDS
git_ -C "$DEMO/my-service" push origin main 2>&1 | sed 's/^/  /'
echo "CI run took $((SECONDS - CI_START)) s; its steps:"
# The run's record (in Slipway's CI log folder): each step of the seed workflow and how it went.
RUN_ID=$(node -e '
  const lines = require("node:fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
  process.stdout.write(lines.findLast((e) => e.type === "run-finished" && e.sha === process.argv[2])?.runId ?? "");' \
  "$DEMO/state/pipelines/my-service/events.jsonl" "$FULL_SHA")
RUN_DIR="${SLIPWAY_CACHE:-$HOME/.cache/slipway}/ci-runs/$RUN_ID"
node -e '
  const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  for (const s of r.steps) console.log(`  ${s.outcome.padEnd(8)} ${s.name}${s.note ? `: ${s.note}` : ""}`);' \
  "$RUN_DIR/result.json"
echo "  (full log: $RUN_DIR/run.log)"
[[ $(git -C "$CONFIG_BARE" show main:apps/my-service/overlays/dev/kustomization.yaml) == *"newTag: $SHA"* ]] ||
  [[ $(git -C "$CONFIG_BARE" show main:apps/my-service/overlays/dev/kustomization.yaml) == *"newTag: \"$SHA\""* ]] ||
  { echo "[demo] the dev overlay does not have $SHA; see $DEMO/controller.log" >&2; exit 1; }
curl -fsS "http://$REGISTRY/v2/myorg/my-service/tags/list"; echo
git -C "$CONFIG_BARE" log --oneline -3 main

# The state of this commit's bundle in ENV, from `pipeline status -o json` ("" before it gets there).
env_state() {
  slipway pipeline status my-service --pipeline "$DEMO/slipway.yaml" --state "$DEMO/state" -o json |
    node -e '
      const [env, sha] = process.argv.slice(1);
      const status = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
      const commit = status.commits.find((c) => c.sha === sha);
      process.stdout.write(commit?.environments[env]?.state ?? "");' "$1" "$FULL_SHA"
}
wait_for() { # ENV STATE: until the pipeline says ENV holds this commit's bundle in STATE
  for _ in $(seq 180); do
    [[ $(env_state "$1") == "$2" ]] && return 0
    sleep 1
  done
  slipway pipeline status my-service --pipeline "$DEMO/slipway.yaml" --state "$DEMO/state"
  echo "[demo] $1 did not reach $2 (it is \"$(env_state "$1")\"); see $DEMO/controller.log" >&2
  return 1
}

say "the controller syncs $SHA into dev; once dev is Synced and Healthy it promotes $SHA to staging"
wait_for dev healthy
echo "dev: healthy ($((SECONDS - CI_START)) s after the push)"
wait_for staging healthy
echo "staging: healthy ($((SECONDS - CI_START)) s after the push)"
wait_for prod awaiting-approval
echo "prod: awaiting approval (its promotion rule is manual)"
slipway pipeline status my-service --pipeline "$DEMO/slipway.yaml" --state "$DEMO/state"
slipway app list

say "the seed's overlays have no Rollout: dev runs a Deployment, its pods simulated by KWOK"
kc -n my-service-dev get deployment,pods -o wide

say "approve prod: slipway promote my-service prod --approve"
slipway promote my-service prod --approve --by demo --pipeline "$DEMO/slipway.yaml" --state "$DEMO/state"
wait_for prod healthy
slipway pipeline status my-service --pipeline "$DEMO/slipway.yaml" --state "$DEMO/state"
slipway app list
kc -n my-service-prod get deployment,pods -o wide

say "done in $((SECONDS - START)) s after setup: $SHA is in dev, staging and prod"
echo "the registry and the controller stop now (this script started them); the dev cluster keeps running:"
echo "  kubectl --kubeconfig \"$KUBECONFIG_PATH\" get pods -A"
echo "  node bin/slipway.js dev-cluster down"
