#!/usr/bin/env bash
# Builds what the deployment tests use, into gitignored folders, only when missing or stale:
#   BUILD/deploy/vmafx-helm-render  the chart renderer (Go; Debian's Go packages, offline:
#                                   GOPATH mode on /usr/share/gocode, no module downloads)
#   BUILD/deploy-node/              the Kubernetes schema validator's npm packages
# usage: tests/deploy/build.sh [BUILD_DIR]   (default build)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$(realpath -m "${1:-build}")
here=tests/deploy

mkdir -p "$build/deploy"
bin=$build/deploy/vmafx-helm-render
if [ ! -x "$bin" ] || [ -n "$(find "$here/render" -newer "$bin" -name '*.go' | head -n 1)" ]; then
  echo "deploy: building $bin"
  GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOCACHE="$build/deploy/gocache" \
    go build -o "$bin" ./"$here"/render
fi

node_dir=$build/deploy-node
stamp=$node_dir/.installed-$(sha256sum "$here/package.json" | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "deploy: npm install into $node_dir"
  mkdir -p "$node_dir"
  cp "$here/package.json" "$node_dir/package.json"
  ( cd "$node_dir" && npm install --no-fund --no-audit --loglevel=error --omit=dev )
  rm -f "$node_dir"/.installed-*
  touch "$stamp"
fi
