#!/usr/bin/env bash
# The test command: fetches the real MNIST if missing (some tests train on real rows), then builds every module
# and runs its tests. Extra arguments go to Maven, e.g. scripts/test.sh -pl worker-ops.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

require_tools java mvn
"$ROOT/scripts/fetch-mnist.sh" "$ROOT/data/mnist"
cd "$ROOT"
mvn -B verify "$@"
