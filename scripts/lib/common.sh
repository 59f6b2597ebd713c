# Shared by the scripts: repository root, Java flags, and building the project when sources changed.
# Sourced, not run.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DRIVER_JAR="$ROOT/driver/target/sparknn-driver.jar"
DRIVER_CP="$DRIVER_JAR:$ROOT/driver/target/lib/*"

# Spark's Java 17 flags, from their one home in conf/jvm.properties.
SPARK_JVM_FLAGS="$(sed -n 's/^spark\.jvm\.flags=//p' "$ROOT/conf/jvm.properties")"
# One word: the repository path may contain spaces.
LOG_FLAG="-Dlog4j2.configurationFile=$ROOT/conf/log4j2.properties"

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

# Builds (without tests) when the driver jar is missing or older than any source, pom or conf file.
build_if_needed() {
    require_tools java mvn
    if [[ ! -f "$DRIVER_JAR" ]] || [[ -n "$(find "$ROOT/pom.xml" "$ROOT/conf" "$ROOT/worker-ops" "$ROOT/datasets" "$ROOT/driver" \
            -path '*/target' -prune -o -type f -newer "$DRIVER_JAR" -print -quit)" ]]; then
        echo "building (mvn package, tests skipped) ..." >&2
        (cd "$ROOT" && mvn -q -B -DskipTests install) >&2
    fi
}
