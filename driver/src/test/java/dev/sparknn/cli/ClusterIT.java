package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparknn.testing.Mnist;
import dev.sparknn.train.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged application on real Spark deployments, through the user-facing scripts: {@code submit.sh} to
 * {@code local[2]} and {@code local[1]}, to {@code local-cluster[2,1,1024]} (separate executor JVMs) and to a 2-worker standalone
 * cluster started by {@code cluster.sh}, including a run whose executor is killed with SIGKILL mid-training.
 * Every run must end with bitwise the same weights.
 */
class ClusterIT {

    private static final Path REPO = Path.of(System.getProperty("sparknn.repo"));
    /** Free ports found at start-up, so that another cluster on this machine cannot collide. */
    private static final String MASTER_PORT = freePort();
    private static final String UI_PORT = freePort();
    private static final String MASTER = "spark://127.0.0.1:" + MASTER_PORT;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /**
     * 4,000 rows, 2 epochs of 784-64-10: 87.1% on the first 1,000 test images (measured). 80% leaves room for
     * noise; a broken distributed path (a lost partition, a wrong merge) shows as a different weight hash
     * or accuracy near chance.
     */
    @Test
    void everyMasterAndAnExecutorLossGiveBitwiseTheSameWeights() throws Exception {
        Path data = Mnist.subset(tmp.resolve("mnist"), 4000, 1000);
        List<String> common = List.of("--data", data.toString(), "--layers", "784,64,10", "--epochs", "2",
                "--batch-size", "200", "--partitions", "4", "--seed", "3", "--lr", "0.1", "--momentum", "0.9",
                "--local-steps", "3", "--schedule", "constant");

        List<String> local = hashes(submit(common, "local[2]", "local", Map.of()));
        assertTrue(accuracy(tmp.resolve("local")) > 0.80, "accuracy " + accuracy(tmp.resolve("local")));
        assertEquals(local, hashes(submit(common, "local[1]", "local1", Map.of())));
        assertEquals(local, hashes(submit(common, "local-cluster[2,1,1024]", "local-cluster", Map.of())));

        Path clusterDir = tmp.resolve("cluster");
        Map<String, String> env = Map.of("SPARKNN_CLUSTER_DIR", clusterDir.toString(), "SPARKNN_MASTER_PORT",
                MASTER_PORT, "SPARKNN_UI_PORT", UI_PORT);
        // Handles, not bare pids: a handle knows its process's start time, so a recycled pid is not mistaken for it.
        List<ProcessHandle> started = new ArrayList<>();
        try {
            String out = run(List.of(script("cluster.sh"), "start", "2"), env, tmp.resolve("cluster-start.log"), 0);
            assertTrue(out.contains("master  " + MASTER) && out.contains("http://127.0.0.1:" + UI_PORT), out);
            daemonPids(clusterDir).forEach(pid -> ProcessHandle.of(pid).ifPresent(started::add));

            Path events = Files.createDirectories(tmp.resolve("events"));
            String eventLog = "--conf spark.eventLog.enabled=true --conf spark.eventLog.dir=" + events.toUri()
                    + " --conf spark.eventLog.compress=false --conf spark.eventLog.rolling.enabled=false";
            assertEquals(local, hashes(submit(common, MASTER, "standalone", Map.of("SPARK_SUBMIT_ARGS", eventLog))));
            Set<String> executors = executorsThatRanTasks(events);
            assertTrue(executors.size() >= 2, "tasks ran in executors " + executors);

            // Kill one executor JVM once the first epoch is done; Spark must reschedule and rebuild its blocks.
            // Four epochs leave seconds of training after the kill; with a constant learning rate (not the default
            // cosine, which depends on the epoch count) the first two epochs are the two of the other runs.
            List<String> longer = new ArrayList<>(common);
            longer.set(longer.indexOf("--epochs") + 1, "4");
            Process p = start(submitCommand(longer, MASTER, tmp.resolve("killed")), env, tmp.resolve("killed.log"));
            waitFor(tmp.resolve("killed.log"), "epoch 1/4  train loss", p);
            long worker = Long.parseLong(Files.readString(clusterDir.resolve("worker-1.pid")).trim());
            List<ProcessHandle> victims = ProcessHandle.of(worker).orElseThrow().children().toList();
            assertFalse(victims.isEmpty(), "worker-1 runs an executor");
            started.addAll(victims);
            victims.forEach(ProcessHandle::destroyForcibly);
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the run finishes after losing an executor");
            String log = Files.readString(tmp.resolve("killed.log"));
            assertEquals(0, p.exitValue(), log);
            assertTrue(log.contains("Lost executor"), "Spark saw the executor die:\n" + log);
            assertEquals(local, hashes(tmp.resolve("killed")).subList(0, 2));
            ProcessHandle.of(worker).orElseThrow().children().forEach(started::add);
        } finally {
            run(List.of(script("cluster.sh"), "stop"), env, tmp.resolve("cluster-stop.log"), 0);
        }
        for (ProcessHandle process : started) {
            // A process killed a moment ago may not be reaped yet; give the kernel a few seconds, not more.
            try {
                process.onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("process " + process.pid() + " outlived cluster.sh stop: "
                        + process.info().commandLine().orElse("?"));
            }
            assertFalse(process.isAlive(), "process " + process.pid() + " outlived cluster.sh stop");
        }
    }

    private Path submit(List<String> common, String master, String name, Map<String, String> env) throws Exception {
        Path out = tmp.resolve(name);
        run(submitCommand(common, master, out), env, tmp.resolve(name + ".log"), 0);
        return out;
    }

    private static List<String> submitCommand(List<String> common, String master, Path out) {
        List<String> cmd = new ArrayList<>(List.of(script("submit.sh"), "--master", master, "--out", out.toString()));
        cmd.addAll(common);
        return cmd;
    }

    /** The weights' SHA-256 after each epoch, from metrics.jsonl. */
    private static List<String> hashes(Path run) throws IOException {
        List<String> hashes = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            hashes.add(JSON.readTree(line).get("weights_sha256").asText());
        }
        assertTrue(hashes.size() >= 2, run + " has a hash per epoch");
        return hashes;
    }

    private static String freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return Integer.toString(socket.getLocalPort());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static double accuracy(Path run) throws IOException {
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        return JSON.readTree(lines.get(lines.size() - 1)).get("test_accuracy").asDouble();
    }

    /** Executor ids of every finished task in the event logs under {@code dir}. */
    private static Set<String> executorsThatRanTasks(Path dir) throws IOException {
        Set<String> ids = new TreeSet<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                for (String line : Files.readAllLines(f)) {
                    if (line.contains("\"SparkListenerTaskEnd\"")) {
                        JsonNode info = JSON.readTree(line).get("Task Info");
                        ids.add(info.get("Executor ID").asText());
                    }
                }
            }
        }
        return ids;
    }

    private static List<Long> daemonPids(Path clusterDir) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> files = Files.list(clusterDir)) {
            for (Path f : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".pid"))::iterator) {
                pids.add(Long.parseLong(Files.readString(f).trim()));
            }
        }
        assertEquals(3, pids.size(), "a master and two workers");
        return pids;
    }

    private static String script(String name) {
        return REPO.resolve("scripts").resolve(name).toString();
    }

    private static Process start(List<String> cmd, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().put("SPARKNN_NO_BUILD", "1");
        pb.environment().put("SPARKNN_JAVA_OPTS", "-Xmx1g");
        return pb.start();
    }

    private static String run(List<String> cmd, Map<String, String> env, Path log, int expected) throws Exception {
        Process p = start(cmd, env, log);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), String.join(" ", cmd) + " finishes within 5 minutes");
        String output = Files.readString(log);
        assertEquals(expected, p.exitValue(), String.join(" ", cmd) + ":\n" + output);
        return output;
    }

    private static void waitFor(Path log, String text, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!Files.readString(log).contains(text)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("no '" + text + "' before the run ended or timed out:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }
}
