#!/usr/bin/env bash
# Builds (when the sources changed; offline once ~/.m2 has the dependencies) and runs the Spark MLlib
# contender. Options go to bench.MllibMlp (see its Javadoc), for example:
#   bench/mllib/run.sh --layers 784,100,10 --max-iters 20,40,60,80,100 --target 0.97
# --data defaults to the repository's data/mnist. Logs go to stderr; the last stdout line is the JSON.
# Environment: OPENBLAS_NUM_THREADS (default 1: two single-threaded tasks under local[2]; OpenBLAS's own
# threads on top of them made MLlib 1.7x slower), MLLIB_JAVA_OPTS (default -Xmx4g).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="$HERE/target/mllib-mlp-bench-0.1.0-SNAPSHOT.jar"

# Spark's Java 17 flags, from their one home in the repository.
SPARK_JVM_FLAGS="$(sed -n 's/^spark\.jvm\.flags=//p' "$ROOT/conf/jvm.properties")"
if [ -z "$SPARK_JVM_FLAGS" ]; then
  echo "run.sh: no spark.jvm.flags in $ROOT/conf/jvm.properties" >&2
  exit 1
fi

if [ ! -f "$JAR" ] || [ ! -d "$HERE/target/lib" ] \
    || [ -n "$(find "$HERE/pom.xml" "$HERE/src" -newer "$JAR")" ]; then
  echo "run.sh: building $JAR" >&2
  (cd "$HERE" && { mvn -q -B -o package || mvn -q -B package; }) >&2
fi

# Servers Spark starts (block manager, RPC) bind to loopback.
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
# shellcheck disable=SC2086  # the flag lists are meant to split into words
exec java ${MLLIB_JAVA_OPTS:--Xmx4g} $SPARK_JVM_FLAGS -cp "$HERE/target/classes:$HERE/target/lib/*" \
  bench.MllibMlp --data "$ROOT/data/mnist" "$@"
