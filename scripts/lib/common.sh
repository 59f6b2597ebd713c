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

# Class data sharing (Java's AppCDS): the classes a training run loads (Spark's, Scala's and ours), archived once per
# build of the jar, so that every run maps them instead of reading, parsing and verifying them from the jars. A 1-epoch
# MNIST run took 0.70x the CPU time and 0.50x the wall time with it (3 alternating pairs at load average 13,
# 2026-12-06). Java checks the archive against the class path and runs without it if they differ; its notices are
# turned off. SPARKNN_CDS=0 runs without it; SPARKNN_CDS_ARCHIVE names another archive file (the tests' own).
CDS_ARCHIVE="${SPARKNN_CDS_ARCHIVE:-$ROOT/driver/target/sparknn-classes.jsa}"
CDS_QUIET="-Xlog:cds=off -Xlog:cds+dynamic=off"

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

# Runs Maven quietly in batch mode with "$@", its output on stderr as plain text: Debian's Maven 3.8 writes colour
# resets (ESC[0m) even in batch mode with -Dstyle.color=never, so they are filtered out. Returns Maven's exit status
# (with or without the caller's pipefail).
mvn_quiet() {
    mvn -q -B -Dstyle.color=never "$@" 2>&1 | sed $'s/\e\\[[0-9;]*m//g' >&2
    return "${PIPESTATUS[0]}"
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
        (cd "$ROOT" && mvn_quiet -DskipTests install)
    fi
    if [[ "${SPARKNN_CDS:-1}" != 0 && ! "$CDS_ARCHIVE" -nt "$APP_JAR" ]]; then
        archive_classes
    fi
}

# Writes $CDS_ARCHIVE: a 1-epoch training run on the repository's smallest IDX set (16 pixels, 60 rows) loads the
# classes that training, evaluation, the report and the model file need, and Java archives them as it exits. Written
# under a name of this process's, then renamed, so that runs started meanwhile never map half an archive.
archive_classes() {
    echo "archiving the classes a run loads, for a faster start (once per build) ..." >&2
    local tmp="$CDS_ARCHIVE.$$" scratch
    scratch="$(mktemp -d)"
    # shellcheck disable=SC2086  # the flag lists are meant to split into words
    if java -Xmx1g $CDS_QUIET -XX:ArchiveClassesAtExit="$tmp" $SPARK_JVM_FLAGS "$LOG_FLAG" \
            -cp "$APP_JAR:$SPARK_RUNTIME/jars/*" dev.sparknn.cli.Main \
            --data "$ROOT/datasets/src/test/resources/cases/idx" --layers 16,4,3 --batch-size 16 --epochs 1 \
            --out "$scratch/run" --checkpoint-dir "$scratch/checkpoints" > "$scratch/log" 2>&1 && [[ -s "$tmp" ]]; then
        mv -f "$tmp" "$CDS_ARCHIVE"
    else
        echo "note: no class archive (runs start without it); the archiving run said: $(tail -1 "$scratch/log")" >&2
    fi
    rm -rf "$tmp" "$scratch"
}

# The class archive's flags when there is one for the current jar.
cds_flags() {
    if [[ "${SPARKNN_CDS:-1}" != 0 && "$CDS_ARCHIVE" -nt "$APP_JAR" ]]; then
        echo "$CDS_QUIET -XX:SharedArchiveFile=$CDS_ARCHIVE"
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
    exec_quiet java ${SPARKNN_JAVA_OPTS:--Xmx4g} $(cds_flags) $SPARK_JVM_FLAGS "$LOG_FLAG" \
        -cp "$APP_JAR:$SPARK_RUNTIME/jars/*" dev.sparknn.cli.Main "$@"
}
