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

# A cluster that scripts/cluster.sh started at this master URL: its settings and secret (authentication, encryption,
# dynamic allocation) from the file only its owner can read.
cluster_dir="${SPARKNN_CLUSTER_DIR:-$ROOT/runs/cluster}"
cluster_conf=()
if [[ -f "$cluster_dir/spark.conf" && "$(cat "$cluster_dir/master-url" 2>/dev/null)" == "$master" ]]; then
    cluster_conf=(--properties-file "$cluster_dir/spark.conf")
fi

# This shell's OpenBLAS kernel for every JVM of the application: YARN and Kubernetes start containers (a cluster-mode
# driver's among them) with a clean environment, and another kernel rounds differently. The trainer pins executors
# itself (BlasKernels) in client mode; these settings reach a driver in a container too. SPARK_SUBMIT_ARGS wins.
blas_conf=()
if [[ -n "${OPENBLAS_CORETYPE:-}" ]]; then
    for key in spark.executorEnv spark.yarn.appMasterEnv spark.kubernetes.driverEnv; do
        blas_conf+=(--conf "$key.OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE")
    done
fi

# shellcheck disable=SC2206  # SPARK_SUBMIT_ARGS is a word list by design
submit_args=(--master "$master" --class dev.sparknn.cli.Main "${cluster_conf[@]}" "${blas_conf[@]}"
    --driver-java-options "$SPARK_JVM_FLAGS $LOG_FLAG" ${SPARK_SUBMIT_ARGS:-})
if [[ -n "${SPARK_HOME:-}" && -x "$SPARK_HOME/bin/spark-submit" ]]; then
    exec_quiet "$SPARK_HOME/bin/spark-submit" "${submit_args[@]}" "$APP_JAR" "${args[@]}"
elif [[ -n "${SPARK_HOME:-}" ]]; then
    echo "submit.sh: SPARK_HOME=$SPARK_HOME has no bin/spark-submit; using the bundled Spark runtime" >&2
fi
# No Spark distribution: run spark-submit's main class from the bundled runtime, which also serves as
# SPARK_HOME for executors that local-cluster masters launch.
export SPARK_HOME="$SPARK_RUNTIME" SPARK_SCALA_VERSION=2.13
# shellcheck disable=SC2086
# Hadoop's and YARN's client settings (yarn-site.xml, core-site.xml) on the class path, as spark-submit's own
# launcher puts them.
classpath="$SPARK_RUNTIME/jars/*"
for conf_dir in "${HADOOP_CONF_DIR:-}" "${YARN_CONF_DIR:-}"; do
    [[ -n "$conf_dir" ]] && classpath="$conf_dir:$classpath"
done
exec_quiet java ${SPARKNN_JAVA_OPTS:--Xmx4g} $SPARK_JVM_FLAGS "$LOG_FLAG" -cp "$classpath" \
    org.apache.spark.deploy.SparkSubmit "${submit_args[@]}" "$APP_JAR" "${args[@]}"
