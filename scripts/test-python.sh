#!/usr/bin/env bash
# The Python tests (python/tests, pytest) on real PySpark 4.2.0 in local mode, against the jar that mvn package built
# (scripts/test.sh runs them after Maven). Their packages: pip install -r python/requirements-test.txt (in a venv, or
# with --user). Extra arguments go to pytest, e.g. scripts/test-python.sh -k connect.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

require_tools java
command -v python3 >/dev/null 2>&1 || { echo "error: the Python tests need python3 (3.9+; Debian/Ubuntu: sudo apt-get install python3 python3-venv)" >&2; exit 1; }
[[ -f "$APP_JAR" ]] || { echo "error: $APP_JAR is missing; build it first: mvn -B package -DskipTests" >&2; exit 1; }
modules="pyspark pytest pandas pyarrow grpc onnxruntime mlflow wheel"
missing="$(python3 -c 'import importlib.util, sys; print(" ".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))' $modules)"
if [[ -n "$missing" ]]; then
    echo "error: the Python tests need $missing: python3 -m pip install -r python/requirements-test.txt (in a venv, or with --user)" >&2
    exit 1
fi
version="$(python3 -c 'import pyspark; print(pyspark.__version__)')"
if [[ "$version" != 4.2.0 ]]; then
    echo "error: the Python tests run on pyspark 4.2.0, the project's Spark; found $version: python3 -m pip install 'pyspark[connect]==4.2.0'" >&2
    exit 1
fi

cd "$ROOT/python"
status=0
SPARKNN_JAR="$APP_JAR" PYTHONPATH="$ROOT/python" python3 -m pytest -p no:cacheprovider -q "$@" || status=$?
# pytest's 5 is "no tests collected": never a pass.
if [[ "$status" == 5 ]]; then
    echo "error: pytest found no tests in python/tests" >&2
    exit 1
fi
exit "$status"
