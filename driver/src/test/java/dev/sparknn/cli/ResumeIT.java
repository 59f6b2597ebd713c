package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.data.SparkTestSession;
import dev.sparknn.store.ModelFile;
import dev.sparknn.testing.Mnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interrupted runs resume to bitwise the same weights as an uninterrupted one. Killed runs are separate JVMs
 * (the trainer's own command line), so a {@code kill -9} really loses everything but what is on disk.
 */
class ResumeIT {

    /** 2,000 rows at batch 100: 20 steps an epoch; 3 partitions exercise the fixed aggregation order. */
    private static final int STEPS_PER_EPOCH = 20;

    @TempDir
    static Path tmp;
    private static String[] common;
    private static float[] uninterrupted;

    @BeforeAll
    static void trainUninterrupted() throws Exception {
        SparkTestSession.get();
        Path data = Mnist.subset(tmp.resolve("mnist"), 2000, 500);
        common = new String[] {"--data", data.toString(), "--layers", "784,32,10", "--epochs", "3", "--batch-size",
            "100", "--partitions", "3", "--seed", "5", "--lr", "0.1", "--momentum", "0.9", "--master", "local[2]",
            // Synchronous steps, so that a checkpoint every 7 steps lands inside an epoch; rounds have their own test.
            "--local-steps", "1"};
        MainIT.Run r = MainIT.run(with("--out", tmp.resolve("a").toString(), "--checkpoint-dir",
                tmp.resolve("a.ckpt").toString()));
        assertEquals(0, r.code(), r.err());
        uninterrupted = ModelFile.read(tmp.resolve("a/model.bin")).params();
    }

    @Test
    void killedWithSigkillAfterTheFirstEpochThenResumedGivesBitwiseTheSameWeights() throws Exception {
        Path out = tmp.resolve("killed");
        Path checkpoints = tmp.resolve("killed.ckpt");
        Process p = launch(tmp.resolve("killed.log"), with("--out", out.toString(), "--checkpoint-dir",
                checkpoints.toString(), "--checkpoint-every", "7", "--keep-checkpoints", "100"));
        // Step 21 is the first checkpoint inside epoch 2 (every 7 steps, 20 a epoch). Whenever the kill lands after
        // it, the checkpoints written later are removed, so the resume is always from the middle of epoch 2.
        waitFor(() -> newestStep(checkpoints) >= STEPS_PER_EPOCH + 1, p, tmp.resolve("killed.log"));
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertEquals(137, p.exitValue(), "killed by SIGKILL");
        assertFalse(Files.exists(out), "a killed run leaves no output folder");
        try (Stream<Path> files = Files.list(checkpoints)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString().replaceFirst("^\\.", "");
                if (name.matches("ckpt-\\d+\\.bin.*") && Long.parseLong(name.substring(5, 17)) > STEPS_PER_EPOCH + 1) {
                    Files.delete(f);
                }
            }
        }

        MainIT.Run r = MainIT.run(with("--out", out.toString(), "--resume", checkpoints.toString(),
                "--checkpoint-every", "7"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("at epoch 2 step 2"), "resumed inside epoch 2: " + r.out());
        assertArrayEquals(uninterrupted, ModelFile.read(out.resolve("model.bin")).params());
        assertEquals(3, Files.readAllLines(out.resolve("metrics.jsonl")).size(), "epochs from before the kill kept");
    }

    @Test
    void sigtermStopsAfterTheCurrentStepWithACheckpointAndExitCode5() throws Exception {
        Path out = tmp.resolve("term");
        Path checkpoints = tmp.resolve("term.ckpt");
        Path log = tmp.resolve("term.log");
        Process p = launch(log, override(with("--out", out.toString(), "--checkpoint-dir", checkpoints.toString()),
                "--epochs", "1000"));
        waitFor(() -> Files.readString(log).contains("/1000  train loss"), p, log);
        p.destroy();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped within a minute of SIGTERM");
        String output = Files.readString(log);
        assertEquals(Main.EXIT_INTERRUPTED, p.exitValue(), output);
        // Mid-epoch it stops after the current round; during an epoch's evaluation, right after that epoch's
        // checkpoint.
        assertTrue(output.matches("(?s).*interrupted (at|after) epoch \\d+.*--resume.*"), output);
        assertTrue(newestStep(checkpoints) >= STEPS_PER_EPOCH, "a checkpoint of the step reached: " + output);
        assertFalse(Files.exists(out), "an interrupted run leaves no output folder");
    }

    /**
     * SIGTERM, then --resume: the same weights, bit for bit, as the run that was never stopped. Checkpointing every
     * step slows the run so that the signal, sent after step 3's checkpoint, lands with about 50 steps to go; a run
     * that finished first fails the test rather than covering less.
     */
    @Test
    void stoppedWithSigtermThenResumedGivesBitwiseTheSameWeights() throws Exception {
        Path out = tmp.resolve("term-resume");
        Path checkpoints = tmp.resolve("term-resume.ckpt");
        Path log = tmp.resolve("term-resume.log");
        Process p = launch(log, with("--out", out.toString(), "--checkpoint-dir", checkpoints.toString(),
                "--checkpoint-every", "1"));
        waitFor(() -> newestStep(checkpoints) >= 3, p, log);
        p.destroy();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped within a minute of SIGTERM");
        assertEquals(Main.EXIT_INTERRUPTED, p.exitValue(), Files.readString(log));
        long stoppedAt = newestStep(checkpoints);
        assertTrue(stoppedAt < 3 * STEPS_PER_EPOCH, "stopped before the end: step " + stoppedAt);

        MainIT.Run r = MainIT.run(with("--out", out.toString(), "--resume", checkpoints.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("resumed from"), r.out());
        assertArrayEquals(uninterrupted, ModelFile.read(out.resolve("model.bin")).params());
    }

    /**
     * A second signal ends the process at once with 128 + the signal's number (143 for SIGTERM), without waiting for
     * the step. An epoch is two steps of 1,000 rows through a 784-2048-10 network (about 10 GFLOP each) with a
     * checkpoint after each. The first signal is sent once step 1's checkpoint is on disk: the run read its stop flag
     * before writing it, so the signal is acted on only after all of step 2, the evaluation and the epoch's
     * checkpoint, whenever it lands. The second is sent once the first has been handled (its message is in the log),
     * inside that window; a run that stopped first (exit 5) fails.
     */
    @Test
    void aSecondSigtermEndsTheProcessAtOnceWithExitCode143() throws Exception {
        Path out = tmp.resolve("term-twice");
        Path log = tmp.resolve("term-twice.log");
        Path checkpoints = tmp.resolve("term-twice.ckpt");
        Process p = launch(log, override(with("--out", out.toString(), "--checkpoint-dir", checkpoints.toString(),
                "--checkpoint-every", "1"), "--epochs", "1000", "--layers", "784,2048,10", "--batch-size", "1000"));
        waitFor(() -> newestStep(checkpoints) >= 1, p, log);
        p.destroy();
        waitFor(() -> Files.readString(log).contains("SIGTERM: stopping after the current round"), p, log);
        p.destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "ended within 30 s of the second SIGTERM");
        assertEquals(143, p.exitValue(), "143 = 128 + SIGTERM's 15 (5: the first signal's clean stop came before the "
                + "second landed):\n" + Files.readString(log));
        assertFalse(Files.exists(out), "no output folder");
    }

    @Test
    void damagedNewestCheckpointsAreSkippedAndTheResumeStillMatches() throws Exception {
        Path checkpoints = tmp.resolve("damaged.ckpt");
        copyDir(tmp.resolve("a.ckpt"), checkpoints);
        // Epoch ends: steps 20, 40, 60. Truncate the newest and flip a byte in the next.
        Path newest = checkpoints.resolve("ckpt-000000000060.bin");
        Files.write(newest, Arrays.copyOf(Files.readAllBytes(newest), 100));
        Path middle = checkpoints.resolve("ckpt-000000000040.bin");
        byte[] bytes = Files.readAllBytes(middle);
        bytes[bytes.length / 2] ^= 1;
        Files.write(middle, bytes);

        Path out = tmp.resolve("damaged");
        MainIT.Run r = MainIT.run(with("--out", out.toString(), "--resume", checkpoints.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("at epoch 2 step 1"), "resumed from the epoch-1 checkpoint: " + r.out());
        assertArrayEquals(uninterrupted, ModelFile.read(out.resolve("model.bin")).params());
    }

    /** Adam's moments, the warm-up and cosine schedule, and a mid-epoch position all survive a resume. */
    @Test
    void adamWithWarmupAndCosineResumesMidEpochToBitwiseTheSameWeights() throws Exception {
        String[] adam = {"--optimizer", "adamw", "--lr", "0.003", "--weight-decay", "0.01", "--schedule", "cosine",
            "--warmup-steps", "5", "--clip-norm", "1", "--epochs", "2", "--keep-checkpoints", "10",
            "--checkpoint-every", "7"};
        Path full = tmp.resolve("adam-full.ckpt");
        MainIT.Run r = MainIT.run(override(with("--out", tmp.resolve("adam-full").toString(), "--checkpoint-dir",
                full.toString()), adam));
        assertEquals(0, r.code(), r.err());
        // Keep only the checkpoint of step 14, in the middle of the first epoch (20 steps).
        Path partial = Files.createDirectories(tmp.resolve("adam-partial.ckpt"));
        Files.copy(full.resolve("ckpt-000000000014.bin"), partial.resolve("ckpt-000000000014.bin"));
        r = MainIT.run(override(with("--out", tmp.resolve("adam-resumed").toString(), "--resume",
                partial.toString()), adam));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("at epoch 1 step 15"), r.out());
        assertArrayEquals(ModelFile.read(tmp.resolve("adam-full/model.bin")).params(),
                ModelFile.read(tmp.resolve("adam-resumed/model.bin")).params());
        assertEquals(Files.readAllLines(tmp.resolve("adam-full/metrics.jsonl")).stream().map(ResumeIT::hash).toList(),
                Files.readAllLines(tmp.resolve("adam-resumed/metrics.jsonl")).stream().map(ResumeIT::hash).toList());
    }

    /**
     * Rounds of local steps with Adam inside the partitions and Nesterov outer momentum: the averaged Adam moments and
     * the outer buffer are in the checkpoint, so a resume from the middle of an epoch's rounds (a copied checkpoint,
     * not a raced kill) ends with bitwise the weights of the uninterrupted run.
     */
    @Test
    void localStepsWithOuterMomentumResumeMidEpochToBitwiseTheSameWeights() throws Exception {
        String[] local = {"--optimizer", "adam", "--lr", "0.003", "--local-steps", "3", "--outer-lr", "0.7",
            "--outer-momentum", "0.5", "--outer-nesterov", "true", "--epochs", "2", "--keep-checkpoints", "10",
            "--checkpoint-every", "6"};
        Path full = tmp.resolve("local-full.ckpt");
        MainIT.Run r = MainIT.run(override(with("--out", tmp.resolve("local-full").toString(), "--checkpoint-dir",
                full.toString()), local));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("20 steps of ~100 per epoch, in 7 rounds of up to 3 local steps"), r.out());
        // Rounds end at steps 3, 6, ..., 18, 20: every 6 steps a checkpoint, step 12 is mid-epoch 1.
        Path partial = Files.createDirectories(tmp.resolve("local-partial.ckpt"));
        Files.copy(full.resolve("ckpt-000000000012.bin"), partial.resolve("ckpt-000000000012.bin"));
        r = MainIT.run(override(with("--out", tmp.resolve("local-resumed").toString(), "--resume",
                partial.toString()), local));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("at epoch 1 step 13"), r.out());
        assertArrayEquals(ModelFile.read(tmp.resolve("local-full/model.bin")).params(),
                ModelFile.read(tmp.resolve("local-resumed/model.bin")).params());
        assertEquals(Files.readAllLines(tmp.resolve("local-full/metrics.jsonl")).stream().map(ResumeIT::hash).toList(),
                Files.readAllLines(tmp.resolve("local-resumed/metrics.jsonl")).stream().map(ResumeIT::hash).toList());
    }

    private static String hash(String metricsLine) {
        return metricsLine.replaceAll(".*\"weights_sha256\":\"([0-9a-f]+)\".*", "$1");
    }

    @Test
    void aFreshRunRefusesACheckpointFolderThatHoldsAnotherRunsUnlessOverwrite() throws Exception {
        Path checkpoints = tmp.resolve("taken.ckpt");
        copyDir(tmp.resolve("a.ckpt"), checkpoints);
        MainIT.Run r = MainIT.run(with("--out", tmp.resolve("taken").toString(), "--checkpoint-dir",
                checkpoints.toString()));
        assertEquals(Main.EXIT_CONFIG, r.code(), r.err());
        assertTrue(r.err().contains("already holds checkpoints") && r.err().contains("--resume"), r.err());
        assertEquals(60, newestStep(checkpoints), "the other run's checkpoints are untouched");

        r = MainIT.run(override(with("--out", tmp.resolve("taken").toString(), "--checkpoint-dir",
                checkpoints.toString(), "--overwrite", "true"), "--epochs", "1"));
        assertEquals(0, r.code(), r.err());
        assertEquals(STEPS_PER_EPOCH, newestStep(checkpoints), "only the new run's checkpoint is left");
    }

    @Test
    void resumingAFinishedRunReproducesItsModel() throws Exception {
        Path out = tmp.resolve("finished");
        MainIT.Run r = MainIT.run(with("--out", out.toString(), "--resume", tmp.resolve("a.ckpt").toString(),
                "--checkpoint-dir", tmp.resolve("finished.ckpt").toString(), "--on-divergence", "skip"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("all 3 epochs were already done"), r.out());
        assertArrayEquals(uninterrupted, ModelFile.read(out.resolve("model.bin")).params());
    }

    @Test
    void resumingWithDifferentOptionsIsRefusedNamingTheOption() {
        MainIT.Run r = MainIT.run(override(with("--out", tmp.resolve("mismatch").toString(), "--resume",
                tmp.resolve("a.ckpt").toString()), "--lr", "0.05"));
        assertEquals(Main.EXIT_CONFIG, r.code(), r.err());
        assertTrue(r.err().contains("--lr 0.1 but this run has --lr 0.05"), r.err());
    }

    @Test
    void resumingFromAFolderWithoutCheckpointsIsRefused() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty.ckpt"));
        MainIT.Run r = MainIT.run(with("--out", tmp.resolve("none").toString(), "--resume", empty.toString()));
        assertEquals(Main.EXIT_CONFIG, r.code(), r.err());
        assertTrue(r.err().contains("holds no valid checkpoint"), r.err());
    }

    private static String[] with(String... extra) {
        return Stream.concat(Stream.of(common), Stream.of(extra)).toArray(String[]::new);
    }

    /** {@code args} with each option of {@code pairs} ({@code --name value ...}) set, replaced if present. */
    private static String[] override(String[] args, String... pairs) {
        List<String> out = new ArrayList<>(List.of(args));
        for (int i = 0; i < pairs.length; i += 2) {
            int at = out.indexOf(pairs[i]);
            if (at >= 0) {
                out.set(at + 1, pairs[i + 1]);
            } else {
                out.add(pairs[i]);
                out.add(pairs[i + 1]);
            }
        }
        return out.toArray(String[]::new);
    }

    /** Starts the trainer's command line in a new JVM with the project's JVM flags, output to {@code log}. */
    /** The command line in a child JVM with this test's class path, its output (both streams) in {@code log}. */
    static Process launch(Path log, String... args) throws IOException {
        Path repo = Path.of(System.getProperty("sparknn.repo"));
        Properties jvm = new Properties();
        try (var in = Files.newInputStream(repo.resolve("conf/jvm.properties"))) {
            jvm.load(in);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        cmd.addAll(List.of(jvm.getProperty("spark.jvm.flags").trim().split("\\s+")));
        cmd.add("-Dlog4j2.configurationFile=" + repo.resolve("conf/log4j2.properties"));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
    }

    interface Check {
        boolean holds() throws IOException;
    }

    private static void waitFor(Check condition, Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!condition.holds()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("child run ended or timed out first:\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }

    private static long newestStep(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return -1;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("ckpt-\\d+\\.bin"))
                    .mapToLong(n -> Long.parseLong(n.substring(5, n.length() - 4))).max().orElse(-1);
        }
    }

    private static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            // Not Hadoop's hidden .crc sidecars: the damage below must be caught by our own format checks.
            for (Path f : (Iterable<Path>) files.filter(f -> !f.getFileName().toString().startsWith("."))::iterator) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }
}
