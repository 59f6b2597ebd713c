#!/usr/bin/env bash
# Compiles and runs WinePipeline.scala against the driver module's classes and dependencies, with the Scala compiler
# from Maven Central (no Scala installation or spark-shell needed).
#   examples/scala/run.sh            # prints the test accuracy, the loss, and the accuracy of the saved-and-loaded model
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
OUT="$ROOT/examples/scala/target"
mkdir -p "$OUT/classes"
cd "$ROOT"
mvn_quiet compile -pl driver -am
mvn_quiet dependency:build-classpath -pl driver -Dmdep.outputFile="$OUT/classpath.txt" -Dmdep.includeScope=runtime
# The Scala compiler's class path, from Maven itself: examples/scala/pom.xml's one dependency, resolved into the local
# repository Maven uses (settings.xml's localRepository, -Dmaven.repo.local, .mvn/maven.config), downloaded from
# Maven Central the first time.
if ! mvn_quiet -f examples/scala/pom.xml dependency:build-classpath -Dmdep.outputFile="$OUT/compiler-classpath.txt" \
        > "$OUT/compiler.log" 2>&1; then
    echo "error: Maven could not resolve the Scala compiler (examples/scala/pom.xml); it is downloaded from Maven" \
        "Central the first time, so offline it must already be in Maven's local repository; Maven said:" \
        "$(grep -m1 '^\[ERROR\]' "$OUT/compiler.log" || tail -1 "$OUT/compiler.log")" >&2
    exit 1
fi
COMPILER="$(cat "$OUT/compiler-classpath.txt")"
CP="$ROOT/driver/target/classes:$ROOT/datasets/target/classes:$ROOT/worker-ops/target/classes:$(cat "$OUT/classpath.txt")"
java -cp "$COMPILER" scala.tools.nsc.Main -classpath "$CP" -d "$OUT/classes" "$ROOT/examples/scala/WinePipeline.scala"
# shellcheck disable=SC2086
exec_quiet java $SPARK_JVM_FLAGS "$LOG_FLAG" -cp "$OUT/classes:$CP" WinePipeline "$ROOT/examples/wine-train.csv" "$ROOT/examples/wine-test.csv" "$OUT/wine-pipeline"
