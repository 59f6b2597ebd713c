#!/usr/bin/env bash
# Writes python/sparknn/ml/_params.py, the Python Params of the estimators and models, from the Java classes' own
# declarations in the built jar (python/tests/test_params.py fails when the committed file is stale).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

build_if_needed
cd "$ROOT/python"
SPARKNN_JAR="$APP_JAR" PYTHONPATH="$ROOT/python${PYTHONPATH:+:$PYTHONPATH}" python3 -m sparknn._generate "$@"
