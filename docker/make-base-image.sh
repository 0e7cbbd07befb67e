#!/usr/bin/env bash
# Makes the Debian bookworm base image the Dockerfiles start from, without a registry:
# debootstrap (minbase) → tar → podman import. Used where no registry is reachable (these
# machines, air-gapped CI); elsewhere pass --build-arg BASE_IMAGE=debian:bookworm-slim instead.
#
# usage: docker/make-base-image.sh [IMAGE]   (default localhost/debian:bookworm-slim)
# Does nothing when IMAGE exists already. Needs root, debootstrap and podman.
# Extra podman flags (e.g. --runtime runc) come from $PODMAN_FLAGS.
set -euo pipefail
image=${1:-localhost/debian:bookworm-slim}
podman=(podman ${PODMAN_FLAGS:-})

if "${podman[@]}" image exists "$image"; then
  echo "base image $image exists"
  exit 0
fi

# The Debian mirror apt uses on this machine (deb822 or one-line sources), else the default.
mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*debian\)[[:space:]]*$/\1/p' \
           /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' \
                               /etc/apt/sources.list 2>/dev/null)
mirror=${mirror:-http://deb.debian.org/debian}

work=$(mktemp -d /var/tmp/vmafx-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "debootstrap bookworm from $mirror"
debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
# what the official slim image also drops: package caches and lists, docs stay out of layers
chroot "$work/rootfs" apt-get clean
rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin
tar -C "$work/rootfs" --numeric-owner -cf "$work/rootfs.tar" .
"${podman[@]}" import --change 'CMD ["/bin/bash"]' "$work/rootfs.tar" "$image" >/dev/null
echo "base image $image imported"
