# helm test: the controller is ready, and a tiny pair made here is scored end to end by the
# release's nodes. Runs in the node image (vmafx, rclone, coreutils) as the test hook's
# `sh -c` script. Reads VMAFX_CONTROLLER_ADDR, VMAFX_TOKEN_FILE, VMAFX_CONTROLLER_CA_FILE
# (https only), POD_IP, VMAFX_TEST_PORT, TMPDIR.
set -eu
export LC_ALL=C
ca=${VMAFX_CONTROLLER_CA_FILE:-}
export RCLONE_CONFIG="$TMPDIR/rclone.conf"
: > "$RCLONE_CONFIG"
say() { echo "helm-test: $*"; }

# 1. /readyz (over https, verified with the CA, when the API is https)
rclone copyurl ${ca:+--ca-cert "$ca"} -q "$VMAFX_CONTROLLER_ADDR/readyz" "$TMPDIR/readyz" \
  || { say "FAIL: $VMAFX_CONTROLLER_ADDR/readyz is not ready"; exit 1; }
say "ok: $VMAFX_CONTROLLER_ADDR/readyz: $(cat "$TMPDIR/readyz")"

# 2. a pair: 3 frames of 176x144 4:2:0, a text pattern, the distorted one a letter off
dir="$TMPDIR/vmafx-test-pair"
mkdir -p "$dir"
frame_bytes=$((176 * 144 * 3 / 2))
y4m() {
  printf 'YUV4MPEG2 W176 H144 F25:1 Ip A1:1 C420jpeg\n'
  for _ in 1 2 3; do printf 'FRAME\n'; yes "$1" | head -c "$frame_bytes"; done
}
y4m 'vmafx helm test pattern 0123456789' > "$dir/ref.y4m"
y4m 'vmafx helm test pattern 0123456788' > "$dir/dis.y4m"

# 3. served to the nodes over HTTP from this pod
rclone serve http "$dir" --read-only --addr ":$VMAFX_TEST_PORT" -q &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
host=$POD_IP
case "$host" in *:*) host="[$host]" ;; esac
base="http://$host:$VMAFX_TEST_PORT"
n=0
until rclone copyurl -q "$base/ref.y4m" "$TMPDIR/probe.y4m" 2>/dev/null; do
  n=$((n + 1))
  [ "$n" -lt 50 ] || { say "FAIL: rclone serve http did not start on $base"; exit 1; }
  sleep 0.2
done

# 4. submitted with the token, scored by a node, scores printed
say "submitting $base/ref.y4m and $base/dis.y4m"
vmafx submit -r "$base/ref.y4m" -d "$base/dis.y4m" -l helm-test=true --wait -q --timeout 300 \
  || { say "FAIL: the job did not complete"; exit 1; }
say "ok: scored end to end"
