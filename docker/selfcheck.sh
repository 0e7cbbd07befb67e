#!/bin/sh
# vmafx-selfcheck: checks a vmafx-node image from the inside. Installed in the node image as
# /usr/local/bin/vmafx-selfcheck, run with
#   podman run --rm --entrypoint vmafx-selfcheck IMAGE [--fuse|--no-fuse]
# --fuse: FUSE must work (run with --device /dev/fuse --cap-add SYS_ADMIN, as the
# chart's mount-mode pods); --no-fuse: skip
# that check; default: check FUSE when /dev/fuse exists. Prints one line per check and
# "selfcheck: ok", or the failing check and exits 1.
set -u
# private files; folders that others may pass through but not list, as the storage layer
# makes its mount points (0711), so that the setuid fusermount3 can reach them
umask 077
fuse=auto
case "${1:-}" in
  --fuse) fuse=yes ;;
  --no-fuse) fuse=no ;;
  "") ;;
  *) echo "usage: vmafx-selfcheck [--fuse|--no-fuse]" >&2; exit 2 ;;
esac

fail() { echo "selfcheck: FAIL: $*"; exit 1; }
ok() { echo "selfcheck: ok: $*"; }

uid=$(id -u)
[ "$uid" = 65532 ] || fail "running as uid $uid, expected the non-root user 65532"
ok "uid $uid ($(id -un 2>/dev/null || echo '?'))"

for b in /usr/local/bin/vmafx-node /usr/local/bin/vmafx /usr/local/bin/rclone; do
  [ -x "$b" ] || fail "$b is missing"
  missing=$(ldd "$b" 2>/dev/null | grep 'not found')
  [ -z "$missing" ] || fail "$b lacks shared libraries: $missing"
done
# GnuTLS (https addresses) and FFmpeg (containers) are loaded on first use, so ldd does not
# list them: they must be in the loader's cache all the same
for lib in 'libgnutls\.so\.30' 'libavformat\.so\.[0-9]' 'libavcodec\.so\.[0-9]' 'libavutil\.so\.[0-9]' \
  'libswscale\.so\.[0-9]'; do
  ldconfig -p 2>/dev/null | grep -q "$lib" || fail "no $lib in the loader's cache (ldconfig -p): vmafx loads it on first use"
done
ok "libraries loaded on first use: GnuTLS, FFmpeg"
v=$(/usr/local/bin/vmafx-node --version 2>&1) || fail "vmafx-node --version: $v"
ok "vmafx-node: $v"
r=$(/usr/local/bin/rclone version 2>&1 | head -n 1) || fail "rclone version: $r"
ok "rclone at /usr/local/bin/rclone: $r"
[ "$(command -v rclone)" = /usr/local/bin/rclone ] || fail "rclone on PATH is $(command -v rclone), not /usr/local/bin/rclone"

models=/usr/local/share/vmafx/models
n=$(ls "$models"/*.json 2>/dev/null | wc -l)
[ "$n" -gt 0 ] && [ -f "$models/vmaf_v0.6.1.json" ] || fail "no VMAF models in $models"
ok "$n models in $models"

[ -s /etc/ssl/certs/ca-certificates.crt ] || fail "no CA certificates"
ok "CA certificates"

tmp=${TMPDIR:-/tmp}
probe="$tmp/vmafx-selfcheck.$$"
mkdir -p -m 0711 "$probe" 2>/dev/null || fail "cannot write to TMPDIR $tmp (mount an emptyDir there)"
ok "TMPDIR $tmp writable"

if [ "$fuse" = auto ]; then
  if [ -e /dev/fuse ]; then fuse=yes; else fuse=no; fi
fi
if [ "$fuse" = yes ]; then
  [ -c /dev/fuse ] || fail "FUSE: /dev/fuse is missing (podman: --device /dev/fuse; Kubernetes: node.fuse.enabled)"
  [ -r /dev/fuse ] && [ -w /dev/fuse ] || fail "FUSE: /dev/fuse is not readable and writable by uid $uid"
  command -v fusermount3 >/dev/null || fail "FUSE: fusermount3 is missing"
  mkdir -p "$probe/src" && mkdir -m 0711 "$probe/mnt"
  echo "vmafx selfcheck $$" > "$probe/src/hello.txt"
  /usr/local/bin/rclone mount ":local:$probe/src" "$probe/mnt" --read-only --vfs-cache-mode off \
      --config /dev/null >"$probe/mount.log" 2>&1 &
  pid=$!
  i=0
  while [ ! -f "$probe/mnt/hello.txt" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      fail "FUSE: rclone mount exited: $(tail -n 3 "$probe/mount.log")"
    fi
    i=$((i + 1))
    [ "$i" -lt 100 ] || { kill "$pid"; fail "FUSE: mount not ready after 10 s"; }
    sleep 0.1
  done
  got=$(cat "$probe/mnt/hello.txt")
  fusermount3 -u "$probe/mnt" || fail "FUSE: fusermount3 -u failed"
  wait "$pid" 2>/dev/null
  [ "$got" = "vmafx selfcheck $$" ] || fail "FUSE: read '$got' through the mount"
  ok "FUSE: rclone mount and fusermount3 -u work as uid $uid"
else
  ok "FUSE not checked"
fi
rm -rf "$probe"
echo "selfcheck: ok"
