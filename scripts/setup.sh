#!/usr/bin/env bash
# Installs what Slipway needs on a fresh Debian machine: system packages (only when missing),
# npm dependencies (exact versions from package-lock.json; `npm ci` also compiles dist/), and the
# test control plane and the kustomize and helm binaries (built once into the cache, reused
# afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
# command:package — the real services the tests run (a registry) and the tools around them.
for pair in openssl:openssl git:git curl:curl docker-registry:docker-registry htpasswd:apache2-utils /usr/sbin/sshd:openssh-server prometheus:prometheus buildah:buildah; do
  cmd=${pair%%:*}; pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
if ((${#need[@]} > 0)); then
  echo "[setup] installing Debian packages: ${need[*]}" >&2
  apt-get update
  apt-get install -y --no-install-recommends "${need[@]}"
fi

command -v go >/dev/null 2>&1 || { echo "[setup] Go >= 1.26 is required to build the control plane (see README prerequisites)" >&2; exit 1; }
command -v node >/dev/null 2>&1 || { echo "[setup] Node.js >= 20.19 is required" >&2; exit 1; }

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[setup] npm ci" >&2
  npm ci --no-audit --no-fund
else
  npm run --silent build
fi

bash scripts/build-control-plane.sh
bash scripts/build-tools.sh
