#!/usr/bin/env bash
# Builds a minimal FFmpeg (Debian bookworm's 5.1.x source package) with --enable-libvmaf against
# the libvmaf.pc found in PKG_CONFIG_PATH, for the client tests (tests/test_compat_ffmpeg.py).
#
# usage: build_ffmpeg.sh WORK_DIR [fetch]
#   WORK_DIR  a folder under the build tree; the source, the private apt state and the builds
#             live there. The build is cached per source version: WORK_DIR/ffmpeg-VERSION/ffmpeg
#             exists afterwards and a second run does nothing.
#   fetch     only fetch and unpack the source
#
# The machine's own apt sources are left untouched: deb-src lines go into a private
# sources.list, and apt's lists and archives into WORK_DIR/apt (apt-get -o Dir::...).
set -euo pipefail
work=$(mkdir -p "$1" && cd "$1" && pwd)
stage=${2:-build}
apt_dir=$work/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/parts"

cat > "$apt_dir/sources.list" <<LIST
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian-security bookworm-security main
deb-src http://deb.debian.org/debian bookworm-updates main
LIST
APT=(-o Dir::Etc::SourceList="$apt_dir/sources.list" -o Dir::Etc::SourceParts="$apt_dir/parts"
     -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache::Archives="$apt_dir/archives"
     -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o Debug::NoLocking=1 -q)

# the newest 5.1 source the lists know (bookworm-security may carry a newer one than bookworm)
src_version() {
  apt-cache "${APT[@]}" showsrc ffmpeg 2>/dev/null |
    sed -n 's/^Version: //p' | grep '^7:5\.1\.' | sort -V | tail -1
}
version=$(src_version || true)
if [ -z "$version" ]; then
  apt-get "${APT[@]}" update >&2
  version=$(src_version)
fi
[ -n "$version" ] || { echo "build_ffmpeg: no ffmpeg 5.1 source package in bookworm" >&2; exit 1; }
upstream=${version#*:}; upstream=${upstream%%-*}
dir=$work/ffmpeg-${version#*:}
src=$dir/src
if [ ! -f "$src/configure" ]; then
  rm -rf "$dir" && mkdir -p "$dir/dl"
  ( cd "$dir/dl" && apt-get "${APT[@]}" source --download-only "ffmpeg=$version" >&2 )
  dpkg-source --no-check -x "$dir"/dl/ffmpeg_*.dsc "$src.tmp" >&2
  mv "$src.tmp" "$src"
fi
[ "$stage" = fetch ] && { echo "$src"; exit 0; }

# FFmpeg links libvmaf.so.3 dynamically, so one build serves every libvmaf of that ABI
# (vmafx's, Netflix's: LD_LIBRARY_PATH chooses at run time); the cache is keyed on the
# source version only. configure finds libvmaf through PKG_CONFIG_PATH (and
# PKG_CONFIG_SYSROOT_DIR for a staged `meson install --destdir`).
out=$dir/build
if [ -x "$out/ffmpeg" ]; then
  echo "$out/ffmpeg"; exit 0
fi
rm -rf "$out" && mkdir -p "$out"
cd "$out"
t0=$(date +%s)
# everything off but what the client tests use: y4m/matroska/raw input, the h264/hevc/raw
# decoders, the libvmaf/scale/format/setpts filters, the null muxer
asm=; command -v nasm >/dev/null || asm=--disable-x86asm
nice "$src/configure" $asm --disable-everything --disable-autodetect --disable-doc \
  --disable-programs --enable-ffmpeg --disable-network --disable-debug \
  --enable-libvmaf --enable-pthreads \
  --enable-protocol=file,pipe \
  --enable-demuxer=yuv4mpegpipe,matroska,rawvideo \
  --enable-decoder=rawvideo,h264,hevc,wrapped_avframe \
  --enable-parser=h264,hevc \
  --enable-filter=libvmaf,scale,format,setpts,null,buffer,buffersink \
  --enable-encoder=wrapped_avframe,rawvideo \
  --enable-muxer=null >configure.log 2>&1 ||
  { tail -20 configure.log >&2; echo "build_ffmpeg: configure failed ($out/configure.log)" >&2; exit 1; }
nice make -j2 ffmpeg >make.log 2>&1 ||
  { tail -30 make.log >&2; echo "build_ffmpeg: make failed ($out/make.log)" >&2; exit 1; }
echo "build_ffmpeg: built in $(( $(date +%s) - t0 ))s" >&2
echo "$out/ffmpeg"
