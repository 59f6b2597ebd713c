#!/usr/bin/env bash
# The Python tests (python/tests, pytest) on real PySpark 4.2.0 in local mode, against the jar that mvn package built
# (scripts/test.sh runs them after Maven). Their packages (python/requirements-test.txt) are used where python3 has
# them, else installed into python/.venv. Extra arguments go to pytest, e.g. scripts/test-python.sh -k connect.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

require_tools java
command -v python3 >/dev/null 2>&1 || { echo "error: the Python tests need python3 (3.9+; Debian/Ubuntu: sudo apt-get install python3 python3-venv)" >&2; exit 1; }
[[ -f "$APP_JAR" ]] || { echo "error: $APP_JAR is missing; build it first: mvn -B package -DskipTests" >&2; exit 1; }
modules="pyspark pytest pandas pyarrow grpc onnxruntime mlflow wheel"
missing() {
    "$1" -c 'import importlib.util, sys; print(" ".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))' $modules
}
python=python3
# Without the packages (python/requirements-test.txt) where python3 is, they go into a virtual environment of the
# checkout's own, from PyPI: no root needed, nothing installed outside the checkout.
if [[ -n "$(missing python3)" ]] || [[ "$(python3 -c 'import pyspark; print(pyspark.__version__)')" != 4.2.0 ]]; then
    venv="$ROOT/python/.venv"
    if [[ ! -x "$venv/bin/python" ]]; then
        echo "note: installing the Python tests' packages (python/requirements-test.txt) into $venv" >&2
        python3 -m venv "$venv" || { echo "error: python3 -m venv $venv failed; Debian/Ubuntu: sudo apt-get install python3-venv" >&2; exit 1; }
    fi
    "$venv/bin/python" -m pip install -q -r "$ROOT/python/requirements-test.txt" \
        || { echo "error: pip could not install python/requirements-test.txt into $venv" >&2; exit 1; }
    python="$venv/bin/python"
fi
if [[ -n "$(missing "$python")" ]]; then
    echo "error: the Python tests need $(missing "$python"): $python -m pip install -r python/requirements-test.txt" >&2
    exit 1
fi
version="$("$python" -c 'import pyspark; print(pyspark.__version__)')"
if [[ "$version" != 4.2.0 ]]; then
    echo "error: the Python tests run on pyspark 4.2.0, the project's Spark; found $version: $python -m pip install 'pyspark[connect]==4.2.0'" >&2
    exit 1
fi

cd "$ROOT/python"
status=0
SPARKNN_JAR="$APP_JAR" PYTHONPATH="$ROOT/python" PYSPARK_PYTHON="$python" "$python" -m pytest -p no:cacheprovider -q "$@" || status=$?
# pytest's 5 is "no tests collected": never a pass.
if [[ "$status" == 5 ]]; then
    echo "error: pytest found no tests in python/tests" >&2
    exit 1
fi
exit "$status"
