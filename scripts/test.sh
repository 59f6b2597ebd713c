#!/usr/bin/env bash
# The test command: fetches the real MNIST (and Fashion-MNIST) if missing (some tests train on real rows), then builds every module
# and runs its tests, then the Python tests on the jar just built (scripts/test-python.sh). Extra arguments go to Maven,
# e.g. scripts/test.sh -pl worker-ops.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

require_tools java mvn
"$ROOT/scripts/fetch-mnist.sh" "$ROOT/data/mnist"
# Fashion-MNIST serves one test of the defaults (DefaultsIT), which says it is skipped when the data cannot be had.
"$ROOT/scripts/fetch-fashion-mnist.sh" "$ROOT/data/fashion-mnist" \
    || echo "note: without Fashion-MNIST, DefaultsIT skips its Fashion-MNIST test" >&2
cd "$ROOT"
mvn -B verify "$@"
"$ROOT/scripts/test-python.sh"
