#!/usr/bin/env bash
# A Spark standalone cluster on this machine, from the bundled Spark runtime: one master and N workers, all
# bound to 127.0.0.1. Logs, pid files and work folders live under one run folder.
#   scripts/cluster.sh start [WORKERS]   (default 2; each worker offers SPARKNN_WORKER_CORES cores, default 1,
#                                         and SPARKNN_WORKER_MEMORY, default 1g)
#   scripts/cluster.sh add [WORKERS]     (default 1) more workers for the running cluster, e.g. in the middle of a run
#   scripts/cluster.sh status
#   scripts/cluster.sh stop              ends exactly the processes start launched, and their executors
# Settings: SPARKNN_CLUSTER_DIR (run folder, default <repo>/runs/cluster), SPARKNN_MASTER_PORT (7077),
# SPARKNN_UI_PORT (8080, the master's web UI). Workers take free ports the system picks (RPC and web UI), so that
# one added mid-run never collides with a port an executor took meanwhile; status prints their web UIs.
# Secure by default: start writes a random secret for this cluster into spark.conf in the run folder (mode 600, read
# only by its owner) with spark.authenticate and RPC encryption on; the master, the workers and scripts/submit.sh
# read it from there, so that no other user's process can join or submit. Applications submitted through submit.sh
# also get dynamic allocation from that file: executors are added while tasks wait and removed when idle.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

run_dir="${SPARKNN_CLUSTER_DIR:-$ROOT/runs/cluster}"
port="${SPARKNN_MASTER_PORT:-7077}"
ui_port="${SPARKNN_UI_PORT:-8080}"
master_url="spark://127.0.0.1:$port"

# Started from the bundled runtime rather than a distribution's sbin scripts; executors that workers launch
# find Spark's jars through SPARK_HOME and need SPARK_SCALA_VERSION, which load-spark-env.sh would set.
export SPARK_HOME="$SPARK_RUNTIME" SPARK_SCALA_VERSION=2.13

# Every daemon carries this marker, so that a pid file left from an earlier boot never names someone else's process.
marker="-Dsparknn.cluster.dir=$run_dir"

alive() { # pidfile: is its process running and one of ours?
    local pid
    [[ -f "$1" ]] && pid="$(cat "$1")" && [[ -r "/proc/$pid/cmdline" ]] &&
        tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qxF -- "$marker"
}

wait_for_log() { # file text pidfile: until the daemon logs text, or dies, or a minute passes
    local deadline=$((SECONDS + 60))
    until grep -qF -- "$2" "$1" 2>/dev/null; do
        if ((SECONDS > deadline)) || ! alive "$3"; then
            echo "cluster.sh: no '$2' in $1 (port taken? see the log)" >&2
            return 1
        fi
        sleep 0.2
    done
}

launch() { # name class args...
    local name="$1"
    shift
    # shellcheck disable=SC2086
    # Spark's own INFO logging: these are daemon log files, not a console. No port retries: a taken port must fail
    # loudly rather than move the master somewhere its workers do not look. The secret comes from the properties
    # file, never from the command line, which every local user can read in /proc.
    nohup java -Xmx512m $SPARK_JVM_FLAGS "$marker" -Dspark.port.maxRetries=0 -cp "$SPARK_HOME/jars/*" "$@" \
        --properties-file "$run_dir/spark.conf" >"$run_dir/$name.log" 2>&1 </dev/null &
    echo $! >"$run_dir/$name.pid"
}

# The cluster's Spark settings, shared by its daemons and by the applications submit.sh sends to it.
write_conf() { # workers
    local workers="$1" secret
    secret="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
    [[ ${#secret} -eq 64 ]] || { echo "cluster.sh: could not read 32 random bytes from /dev/urandom" >&2; exit 1; }
    rm -f "$run_dir/spark.conf"
    (
        umask 077
        cat >"$run_dir/spark.conf" <<CONF
# Written by scripts/cluster.sh start for the cluster at $master_url; a new secret at every start.
# Applications must present the secret (SASL) to the master, the workers and each other's executors.
spark.authenticate                            true
spark.authenticate.secret                     $secret
# RPC and block transfers encrypted with AES (keys negotiated from the secret).
spark.network.crypto.enabled                  true
# No REST submission server (port 6066): it would take submissions outside the authenticated RPC, and a second
# cluster on the machine would fail to start on its port.
spark.master.rest.enabled                     false
# Elastic executors for the applications: request executors while tasks wait, release them when idle. Executors
# that hold cached training blocks are kept (spark.dynamicAllocation.cachedExecutorIdleTimeout, infinite), and
# shuffle tracking replaces the external shuffle service that dynamic allocation otherwise needs.
spark.dynamicAllocation.enabled               true
spark.dynamicAllocation.shuffleTracking.enabled true
# Start with an executor per worker, so that the training blocks are spread over all of them from the first job;
# one executor per worker (its cores, its memory).
spark.dynamicAllocation.initialExecutors      $workers
spark.executor.cores                          ${SPARKNN_WORKER_CORES:-1}
CONF
    )
    chmod 600 "$run_dir/spark.conf"
    echo "$master_url" >"$run_dir/master-url"
}

add_workers() { # first count: workers first .. first+count-1, then wait until the master has registered them
    local first="$1" count="$2" i
    for ((i = first; i < first + count; i++)); do
        mkdir -p "$run_dir/work-$i"
        launch "worker-$i" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 \
            --cores "${SPARKNN_WORKER_CORES:-1}" --memory "${SPARKNN_WORKER_MEMORY:-1g}" \
            --work-dir "$run_dir/work-$i" --webui-port 0 "$master_url"
    done
    # Ready when each new worker says the master accepted it (the master logs every attempt, accepted or not).
    local deadline=$((SECONDS + 90))
    for ((i = first; i < first + count; i++)); do
        until grep -qF "Successfully registered with master" "$run_dir/worker-$i.log" 2>/dev/null; do
            if ! alive "$run_dir/worker-$i.pid"; then
                echo "cluster.sh: worker-$i exited before it registered: $(first_error "$run_dir/worker-$i.log")" \
                    "(see $run_dir/worker-$i.log)" >&2
                return 1
            fi
            if ((SECONDS > deadline)); then
                echo "cluster.sh: worker-$i did not register within 90 s: $(first_error "$run_dir/worker-$i.log")" \
                    "(see $run_dir/*.log)" >&2
                return 1
            fi
            sleep 0.3
        done
    done
}

first_error() { # log: its first ERROR or exception line, or its last line
    local line
    line="$(grep -m1 -E 'ERROR|Exception' "$1" 2>/dev/null || true)"
    [[ -n "$line" ]] || line="$(tail -n 1 "$1" 2>/dev/null || true)"
    echo "${line:-its log is empty}"
}

start() {
    local workers="${1:-2}"
    [[ "$workers" =~ ^[1-9][0-9]*$ ]] || { echo "cluster.sh: WORKERS must be a positive number, got '$workers'" >&2; exit 2; }
    build_if_needed
    mkdir -p "$run_dir"
    local pidfile
    for pidfile in "$run_dir"/*.pid; do
        if alive "$pidfile"; then
            echo "cluster.sh: $(basename "$pidfile" .pid) from an earlier start is still running (pid $(cat "$pidfile"));" \
                "run 'scripts/cluster.sh stop' first" >&2
            exit 1
        fi
    done
    rm -f "$run_dir"/*.pid
    write_conf "$workers"
    launch master org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port "$ui_port"
    wait_for_log "$run_dir/master.log" "Starting Spark master at $master_url" "$run_dir/master.pid" || { stop; exit 1; }
    # Ready when every worker has registered with the master.
    add_workers 1 "$workers" || { stop; exit 1; }
    echo "master  $master_url"
    echo "web UI  http://127.0.0.1:$ui_port"
    echo "workers $workers ($run_dir)"
    echo "secret  $run_dir/spark.conf (authentication and encryption on; scripts/submit.sh uses it)"
}

add() {
    local count="${1:-1}" pidfile have=0
    [[ "$count" =~ ^[1-9][0-9]*$ ]] || { echo "cluster.sh: WORKERS must be a positive number, got '$count'" >&2; exit 2; }
    alive "$run_dir/master.pid" || { echo "cluster.sh: no master running from $run_dir; run 'scripts/cluster.sh start'" >&2; exit 1; }
    shopt -s nullglob
    for pidfile in "$run_dir"/worker-*.pid; do have=$((have + 1)); done
    add_workers $((have + 1)) "$count" || exit 1
    echo "workers $((have + count)) ($run_dir)"
}

stop() {
    local pidfile pid children=()
    shopt -s nullglob
    [[ -d "$run_dir" ]] || { echo "stopped (nothing was started from $run_dir)"; return 0; }
    # Workers first: remember their executor JVMs, which a worker normally ends itself on the way down.
    for pidfile in "$run_dir"/worker-*.pid "$run_dir"/master.pid; do
        if alive "$pidfile"; then
            pid="$(cat "$pidfile")"
            mapfile -t -O "${#children[@]}" children < <(pgrep -P "$pid" || true)
            kill "$pid"
        fi
    done
    for pidfile in "$run_dir"/worker-*.pid "$run_dir"/master.pid; do
        [[ -f "$pidfile" ]] || continue
        for _ in $(seq 100); do alive "$pidfile" || break; sleep 0.1; done
        if alive "$pidfile"; then
            kill -9 "$(cat "$pidfile")" 2>/dev/null || true
        fi
        rm -f "$pidfile"
    done
    for pid in "${children[@]}"; do
        kill -9 "$pid" 2>/dev/null || true
    done
    # Return only once they are gone (a zombie waiting to be reaped counts as gone).
    for pid in "${children[@]}"; do
        for _ in $(seq 100); do
            [[ -r "/proc/$pid/status" ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null || break
            sleep 0.1
        done
    done
    # The secret dies with its cluster.
    rm -f "$run_dir/spark.conf" "$run_dir/master-url"
    echo "stopped"
}

status() {
    local pidfile found=0
    shopt -s nullglob
    for pidfile in "$run_dir"/master.pid "$run_dir"/worker-*.pid; do
        [[ -f "$pidfile" ]] || continue
        found=1
        if alive "$pidfile"; then
            local ui
            ui="$(grep -o -m1 'started at http://[^ ]*' "${pidfile%.pid}.log" 2>/dev/null | sed 's/started at //' || true)"
            echo "$(basename "$pidfile" .pid) running (pid $(cat "$pidfile"))${ui:+, web UI $ui}"
        else
            echo "$(basename "$pidfile" .pid) not running"
        fi
    done
    ((found)) || echo "no cluster started from $run_dir"
    alive "$run_dir/master.pid" && echo "master  $master_url   web UI http://127.0.0.1:$ui_port"
    return 0
}

case "${1:-}" in
    start) start "${2:-2}" ;;
    add) add "${2:-1}" ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: scripts/cluster.sh start [WORKERS] | add [WORKERS] | status | stop" >&2; exit 2 ;;
esac
