#!/usr/bin/env bash
# Compiles and runs WinePipeline.scala against the driver module's classes and dependencies, with the Scala compiler
# from Maven Central (no Scala installation or spark-shell needed).
#   examples/scala/run.sh            # prints the test accuracy, the loss, and the accuracy of the saved-and-loaded model
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
OUT="$ROOT/examples/scala/target"
SCALA_VERSION=2.13.18   # Spark 4.2.0's
mkdir -p "$OUT/classes"
cd "$ROOT"
mvn -B -q compile -pl driver -am
mvn -B -q dependency:build-classpath -pl driver -Dmdep.outputFile="$OUT/classpath.txt" -Dmdep.includeScope=runtime
mvn -B -q dependency:get -Dartifact=org.scala-lang:scala-compiler:$SCALA_VERSION
M2="${MAVEN_REPO:-$HOME/.m2/repository}/org/scala-lang"
COMPILER="$M2/scala-compiler/$SCALA_VERSION/scala-compiler-$SCALA_VERSION.jar:$M2/scala-library/$SCALA_VERSION/scala-library-$SCALA_VERSION.jar:$M2/scala-reflect/$SCALA_VERSION/scala-reflect-$SCALA_VERSION.jar"
CP="$ROOT/driver/target/classes:$ROOT/datasets/target/classes:$ROOT/worker-ops/target/classes:$(cat "$OUT/classpath.txt")"
java -cp "$COMPILER" scala.tools.nsc.Main -classpath "$CP" -d "$OUT/classes" "$ROOT/examples/scala/WinePipeline.scala"
# shellcheck disable=SC2086
exec_quiet java $SPARK_JVM_FLAGS "$LOG_FLAG" -cp "$OUT/classes:$CP" WinePipeline "$ROOT/examples/wine-train.csv" "$ROOT/examples/wine-test.csv" "$OUT/wine-pipeline"
