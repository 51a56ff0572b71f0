#!/usr/bin/env bash
# Installs what lithe needs on Debian/Ubuntu, skipping what is already there, then builds lithe:
#   system packages: libtorch (engine), the Gloo headers (libtorch's c10d needs them), OpenBLAS (fast
#   GEMM), Fashion-MNIST (default data set), Chromium (headless, for the onnxruntime-web latency
#   runtime and its browser test),
#   with --peer also PyTorch for Python (benchmark peer and golden-fixture scripts);
#   then `npm ci`, which compiles the native addon and the TypeScript.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libtorch-dev libgloo-dev libopenblas0 dataset-fashion-mnist chromium)
if [[ "${1:-}" == "--peer" ]]; then packages+=(python3-torch python3-torchvision); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm 11 runs no dependency's install script unless package.json's allowScripts allows it, and lithe's
# denies them (onnxruntime-node's would fetch CUDA files; protobufjs's only checks its CLI's versions).
# An older npm runs them: this variable, which onnxruntime-node's script reads, keeps it offline there.
export ONNXRUNTIME_NODE_INSTALL=skip
npm ci
