#!/usr/bin/env bash
# Puts Zalando's official Fashion-MNIST, as four raw (uncompressed) IDX files named like MNIST's, into a folder
# (default <repo>/data/fashion-mnist). The files are byte-identical to Zalando's (md5 sums below).
# Source: Debian's dataset-fashion-mnist 0.0~git20200523.55506a9-1 (bookworm, arch all, Expat/MIT, (c) 2017
# Zalando SE), which ships /usr/share/datasets/fashion-mnist/*-ubyte.gz. If that package is installed its files are
# used; otherwise `apt-get download` fetches the .deb (31 MB) into a temporary folder and dpkg-deb unpacks it:
# neither needs root, only apt's package lists (`apt-get update` run once on the machine).
# Used by the tests (DefaultsIT) and the defaults grid (bench/defaults_grid.py).
# Usage: scripts/fetch-fashion-mnist.sh [target-folder]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:-$repo/data/fashion-mnist}"
deb_version="0.0~git20200523.55506a9-1"
deb_sha256=39e172fe32dd318ebb3e512220c3beea2fa47d7e20bab348fb4e0922d6beefc0
installed=/usr/share/datasets/fashion-mnist

declare -A md5=(   # Zalando's uncompressed files
  [train-images-idx3-ubyte]=f4a8712d7a061bf5bd6d2ca38dc4d50a
  [train-labels-idx1-ubyte]=9018921c3c673c538a1fc5bad174d6f9
  [t10k-images-idx3-ubyte]=8181f5470baa50b63fa0f6fddb340f0a
  [t10k-labels-idx1-ubyte]=15d484375f8d13e6eb1aabb0c3f46965
)
files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

for tool in md5sum gzip; do
  command -v "$tool" >/dev/null 2>&1 || { echo "fetch-fashion-mnist.sh: '$tool' is needed" >&2; exit 1; }
done
md5_of() { md5sum "$1" | cut -d' ' -f1; }

complete=true
for f in "${files[@]}"; do
  [[ -f "$target/$f" && "$(md5_of "$target/$f")" == "${md5[$f]}" ]] || complete=false
done
if $complete; then
  echo "Fashion-MNIST is already in $target (md5 sums match); nothing to do."
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/idx"

unpack_from() {  # folder with the four .gz files -> $work/idx, md5-checked; fails quietly if anything differs
  local f
  for f in "${files[@]}"; do
    [[ -f "$1/$f.gz" ]] && gzip -dc "$1/$f.gz" > "$work/idx/$f" 2>/dev/null \
      && [[ "$(md5_of "$work/idx/$f")" == "${md5[$f]}" ]] || return 1
  done
}

if unpack_from "$installed"; then
  echo "Using the installed dataset-fashion-mnist's $installed"
else
  for tool in apt-get dpkg-deb sha256sum; do
    command -v "$tool" >/dev/null 2>&1 || { echo "fetch-fashion-mnist.sh: '$tool' is needed (Debian)" >&2; exit 1; }
  done
  echo "Downloading dataset-fashion-mnist=$deb_version (31 MB) ..."
  (cd "$work" && apt-get download -q "dataset-fashion-mnist=$deb_version" >/dev/null) || {
    echo "fetch-fashion-mnist.sh: 'apt-get download dataset-fashion-mnist=$deb_version' failed; is this Debian 12" \
         "(bookworm) with its package lists ('sudo apt-get update' once, or 'sudo apt-get install" \
         "dataset-fashion-mnist')?" >&2
    exit 1
  }
  deb=("$work"/dataset-fashion-mnist_*.deb)
  found="$(sha256sum "${deb[0]}" | cut -d' ' -f1)"
  [[ "$found" == "$deb_sha256" ]] \
    || { echo "fetch-fashion-mnist.sh: the .deb has sha256 $found, expected $deb_sha256" >&2; exit 1; }
  dpkg-deb -x "${deb[0]}" "$work/deb"
  unpack_from "$work/deb$installed" \
    || { echo "fetch-fashion-mnist.sh: the .deb's files do not have Zalando's md5 sums; nothing written" >&2; exit 1; }
fi

# Copy beside the destination, then rename: a file in the target is either absent or complete.
mkdir -p "$target"
for f in "${files[@]}"; do
  cp "$work/idx/$f" "$target/.$f.partial.$$"
  mv -f "$target/.$f.partial.$$" "$target/$f"
  echo "  $target/$f"
done
echo "Fashion-MNIST (official) is in $target (md5 sums verified)."
