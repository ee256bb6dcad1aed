#!/usr/bin/env bash
# Builds decode-peer inside an unpacked Kubernetes source tree (GOPATH mode, the client-go vendored
# there), the same tree and way the client-go peer is built. Usage: build.sh K8S_SRC_DIR OUT_BIN
set -euo pipefail
src=$1; out=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$src/cmd/decode-peer"
cp "$here/main.go" "$src/cmd/decode-peer/main.go"
mkdir -p "$src/.go/src/k8s.io"
[ -L "$src/.go/src/k8s.io/kubernetes" ] || ln -s ../../.. "$src/.go/src/k8s.io/kubernetes"
cd "$src/.go/src/k8s.io/kubernetes"
GOPATH="$src/.go" GO111MODULE=off CGO_ENABLED=0 go build -o "$out" ./cmd/decode-peer
