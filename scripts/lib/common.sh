# Shared by the scripts: repository root, Java flags, and building the project when sources changed.
# Sourced, not run.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# The application jar (our classes, no Spark) and the bundled Spark runtime (jars/ as in a Spark distribution).
APP_JAR="$ROOT/driver/target/sparknn-app.jar"
SPARK_RUNTIME="$ROOT/driver/target/spark-runtime"

# Spark's Java 17 flags, from their one home in conf/jvm.properties.
SPARK_JVM_FLAGS="$(sed -n 's/^spark\.jvm\.flags=//p' "$ROOT/conf/jvm.properties")"
# One word: the repository path may contain spaces.
LOG_FLAG="-Dlog4j2.configurationFile=$ROOT/conf/log4j2.properties"

# One native BLAS thread per Spark task (see conf/spark-defaults.conf); it also fixes OpenBLAS's rounding, which
# depends on its thread count. Local mode computes in this JVM, so it must be set before Java starts.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"

# Servers Spark starts (the UI, block manager) bind to loopback unless the user says otherwise.
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"

require_tools() {
    local tool
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "error: '$tool' is not installed; this project needs Java 17+ and Maven 3.8+ (Debian/Ubuntu: sudo apt-get install openjdk-17-jdk maven)" >&2
            exit 1
        fi
    done
}

# Builds (without tests) when the application jar is missing or older than any source, pom or conf file.
# SPARKNN_NO_BUILD=1 skips the check (the integration tests run the scripts on what Maven just packaged).
build_if_needed() {
    if [[ -n "${SPARKNN_NO_BUILD:-}" ]]; then
        [[ -f "$APP_JAR" ]] || { echo "error: $APP_JAR is missing; build with mvn package" >&2; exit 1; }
        return
    fi
    require_tools java mvn
    if [[ ! -f "$APP_JAR" ]] || [[ -n "$(find "$ROOT/pom.xml" "$ROOT/conf" "$ROOT/worker-ops" "$ROOT/datasets" "$ROOT/driver" \
            -path '*/target' -prune -o -type f -newer "$APP_JAR" -print -quit)" ]]; then
        echo "building (mvn package, tests skipped) ..." >&2
        # Plain text: Debian's Maven 3.8 writes colour resets (ESC[0m) even in batch mode, so they are filtered out.
        (cd "$ROOT" && mvn -q -B -Dstyle.color=never -DskipTests install 2>&1 | sed $'s/\e\\[[0-9;]*m//g') >&2
    fi
}

# Copies stdin to stdout without the JVM's start-up notice 'WARNING: Using incubator modules: <modules>'. Java
# prints it whenever conf/jvm.properties adds jdk.incubator.vector (the module of netlib's Java SIMD BLAS, used when
# native BLAS is absent, 2.7 times plain Java's sgemm here); it is noise to a user. It comes before Java's first
# line of its own, after the VM's warnings if any, and names its modules in any order: only that line is dropped,
# and from the first other line on every byte passes unchanged and at once (a live progress bar too).
# SIGINT and SIGTERM are ignored, so that the lines a stopped run prints last still pass.
drop_incubator_notice() {
    trap '' INT TERM
    local line
    while true; do
        if ! IFS= read -r line; then
            printf '%s' "$line"
            return
        fi
        case "$line" in
            "WARNING: Using incubator modules: "*) break ;;
            *" VM warning: "*) printf '%s\n' "$line" ;;
            *) printf '%s\n' "$line"; break ;;
        esac
    done
    exec cat
}

# Replaces this shell with the command "$@" (so that signals reach Java directly), its stderr through
# drop_incubator_notice.
exec_quiet() {
    exec "$@" 2> >(drop_incubator_notice >&2)
}

# Runs the command-line entry point (dev.sparknn.cli.Main) in this process. JVM options: SPARKNN_JAVA_OPTS.
run_main() {
    # shellcheck disable=SC2086  # the flag lists are meant to split into words
    exec_quiet java ${SPARKNN_JAVA_OPTS:--Xmx4g} $SPARK_JVM_FLAGS "$LOG_FLAG" -cp "$APP_JAR:$SPARK_RUNTIME/jars/*" \
        dev.sparknn.cli.Main "$@"
}
