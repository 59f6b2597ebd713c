#!/usr/bin/env bash
# Submits a training run to any Spark master with spark-submit. Its options are the trainer's (see --help);
# --master is handed to spark-submit. Other spark-submit settings go in SPARK_SUBMIT_ARGS, for example
#   SPARK_SUBMIT_ARGS="--executor-memory 4g --total-executor-cores 8" scripts/submit.sh --master spark://h:7077 ...
# Uses $SPARK_HOME/bin/spark-submit when SPARK_HOME is set, otherwise the Spark runtime bundled by the build.
# Data and output paths must be reachable by the driver and every executor (a shared disk, HDFS, S3, ...).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

build_if_needed
# The trainer's default master, from its one home in conf/train.conf.
master="$(sed -n 's/^master *= *"\([^"]*\)".*/\1/p' "$ROOT/conf/train.conf")"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
        --master) master="${args[i + 1]:-}" ;;
        --master=*) master="${args[i]#--master=}" ;;
    esac
done

# shellcheck disable=SC2206  # SPARK_SUBMIT_ARGS is a word list by design
submit_args=(--master "$master" --class dev.sparknn.cli.Main
    --driver-java-options "$SPARK_JVM_FLAGS $LOG_FLAG" ${SPARK_SUBMIT_ARGS:-})
if [[ -n "${SPARK_HOME:-}" && -x "$SPARK_HOME/bin/spark-submit" ]]; then
    exec "$SPARK_HOME/bin/spark-submit" "${submit_args[@]}" "$APP_JAR" "${args[@]}"
elif [[ -n "${SPARK_HOME:-}" ]]; then
    echo "submit.sh: SPARK_HOME=$SPARK_HOME has no bin/spark-submit; using the bundled Spark runtime" >&2
fi
# No Spark distribution: run spark-submit's main class from the bundled runtime, which also serves as
# SPARK_HOME for executors that local-cluster masters launch.
export SPARK_HOME="$SPARK_RUNTIME" SPARK_SCALA_VERSION=2.13
# shellcheck disable=SC2086
exec java ${SPARKNN_JAVA_OPTS:--Xmx4g} $SPARK_JVM_FLAGS "$LOG_FLAG" -cp "$SPARK_RUNTIME/jars/*" \
    org.apache.spark.deploy.SparkSubmit "${submit_args[@]}" "$APP_JAR" "${args[@]}"
