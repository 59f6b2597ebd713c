package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.data.SparkTestSession;
import dev.sparknn.ops.Activation;
import dev.sparknn.ops.Loss;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.WeightInit;
import dev.sparknn.store.ModelFile;
import dev.sparknn.testing.Mnist;
import dev.sparknn.train.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user meets in the first hour, through the command line: every mistake ends in one line on standard
 * error naming the option, file or value, with its exit code and no stack trace; printed hints work as printed.
 * Most runs are in-process (the shared Spark session); those about the console that Spark's own logging reaches
 * are child JVMs with the project's log configuration, as the scripts start them.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class FirstHourIT {

    private static final Path REPO = Path.of(System.getProperty("sparknn.repo", "."));

    @TempDir
    static Path tmp;
    private static Path data;
    private static Path model;

    @BeforeAll
    static void setUp() throws Exception {
        SparkTestSession.get();
        data = Mnist.subset(tmp.resolve("mnist"), 1000, 200);
        // A run's output folder with its model, as train leaves it.
        Network net = new Network(new int[] {784, 8, 10}, Activation.RELU, Loss.parse("softmax-ce"));
        model = Files.createDirectories(tmp.resolve("runs/done")).resolve("model.bin");
        ModelFile.write(model, net, Task.CLASSIFICATION, net.initParams(WeightInit.parse("he"), 1));
    }

    /** Exit {@code code}, exactly one line on standard error holding every {@code named}, and no stack trace. */
    private static void assertOneLine(MainIT.Run r, int code, String... named) {
        assertEquals(code, r.code(), r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), "one line on stderr:\n" + r.err());
        for (String s : named) {
            assertTrue(lines.get(0).contains(s), "the line names " + s + ": " + lines.get(0));
        }
        assertFalse(lines.get(0).contains("Exception"), lines.get(0));
    }

    /** A small synchronous run (10 steps an epoch) into {@code out}. */
    private static String[] quick(String out, int epochs) {
        return new String[] {"--data", data.toString(), "--layers", "784,16,10", "--epochs", Integer.toString(epochs),
            "--batch-size", "100", "--local-steps", "1", "--lr", "0.05", "--seed", "3", "--out", out};
    }

    // Item 1: plain mistakes.

    @Test
    void aRunFolderAsModelAMissingModelAndABadSplitEachGetOneLine() {
        String folder = model.getParent().toString();
        assertOneLine(MainIT.run("predict", "--model", folder, "--input", "x.png"), 3,
                "--model " + folder + " is a folder", "--model " + model);
        assertOneLine(MainIT.run("evaluate", "--model", folder, "--data", data.toString()), 3,
                "--model " + folder + " is a folder", "--model " + model);
        String missing = tmp.resolve("runs/nope/model.bin").toString();
        assertOneLine(MainIT.run("evaluate", "--model", missing, "--data", data.toString()), 3,
                "--model " + missing + ": no such file");
        assertOneLine(MainIT.run("export", "--model", missing, "--output", tmp.resolve("m.onnx").toString()), 3,
                "--model " + missing + ": no such file");
        assertOneLine(MainIT.run("evaluate", "--model", model.toString(), "--data", data.toString(), "--split",
                "tst"), 2, "--split", "'tst'");
        MainIT.Run test = MainIT.run("evaluate", "--model", model.toString(), "--data", data.toString(), "--split",
                "test");
        assertEquals(0, test.code(), test.err());
        assertTrue(test.out().contains("on 200 rows"), "--split test is the t10k files: " + test.out());

        // --verbose adds the stack trace to the same line.
        MainIT.Run verbose = MainIT.run("evaluate", "--model", missing, "--data", data.toString(), "--verbose");
        assertEquals(3, verbose.code());
        assertTrue(verbose.err().startsWith("data error: --model " + missing) && verbose.err().contains("\tat "),
                verbose.err());
    }

    // Item 2: Spark's traces and the usage text no longer bury the line.

    @Test
    void anUnknownOptionGetsOneLineNotTheUsage() {
        assertOneLine(MainIT.run("--learning-rate", "0.1"), 2, "--learning-rate", "--help");
        assertOneLine(MainIT.run("--lrr", "0.1"), 2, "--lrr", "did you mean --lr");
    }

    @Test
    void aCsvWithATextLabelAmongClassIndicesFailsWithOurLineOnlyNotTheExecutorsTraces() throws Exception {
        Path csv = Files.writeString(tmp.resolve("text-labels.csv"), "a,b,label\n1,2,0\n3,4,1\n1,2,0\n"
                + "3,4,1\n1,2,cat\n3,4,1\n1,2,0\n3,4,1\n1,2,0\n3,4,1\n");
        Child c = child(tmp.resolve("text-labels.log"), "--data", csv.toString(), "--layers", "2,4,2", "--out",
                tmp.resolve("runs/text").toString());
        assertEquals(3, c.code(), c.output());
        List<String> problems = c.stderrBeyondProgress();
        assertEquals(1, problems.size(), "only our line: " + c.output());
        assertTrue(problems.get(0).startsWith("data error: ") && problems.get(0).contains("text-labels.csv")
                && problems.get(0).contains("text-labels.csv line 6: column 'label' holds 'cat', not a decimal number, "
                + "where 9 other rows hold class indices"), problems.get(0));
    }

    /**
     * A successful run on a glob of Parquet shards prints no Spark warning, and says what it is doing while it
     * reads the schema and packs the blocks (item 7).
     */
    @Test
    void aParquetGlobRunShowsProgressAndNoSparkWarnings() throws Exception {
        Path shards = tmp.resolve("pq");
        MainIT.Run converted = MainIT.run("datasets", "convert", "--data", data.toString(), "--out",
                shards.toString(), "--shards", "4");
        assertEquals(0, converted.code(), converted.err());
        Child c = child(tmp.resolve("parquet.log"), "--data", shards.resolve("train") + "/part-0000[0-2]*.parquet",
                "--test-data", shards.resolve("test").toString(), "--layers", "784,16,10", "--epochs", "1", "--out",
                tmp.resolve("runs/pq").toString());
        assertEquals(0, c.code(), c.output());
        assertTrue(c.output().contains("reading the schema of") && c.output().contains("packing the rows of"),
                c.output());
        assertEquals(List.of(), c.stderrBeyondProgress(), "nothing but progress on the console:\n" + c.output());
    }

    // Item 3 and 4: resume with the hint as printed; the output folder as --resume.

    @Test
    void theResumeHintWorksAsPrintedWithTheCheckpointsOptionsAndOutputFolder() throws Exception {
        Path straight = tmp.resolve("runs/straight");
        assertEquals(0, MainIT.run(quick(straight.toString(), 2)).code());

        Path out = tmp.resolve("runs/intr");
        // As after Ctrl-C: the run checkpoints after its current round and stops.
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Main.run(new java.io.PrintWriter(new java.io.StringWriter(), true), new java.io.PrintWriter(err,
                true), new java.util.concurrent.atomic.AtomicBoolean(true), quick(out.toString(), 2));
        MainIT.Run stopped = new MainIT.Run(code, "", err.toString());
        assertEquals(5, stopped.code(), stopped.err());
        Matcher hint = Pattern.compile("continue with --resume (\\S+)$").matcher(stopped.err().strip());
        assertTrue(hint.find(), stopped.err());

        // The output folder points at its checkpoints; a differing option is refused, naming it.
        assertOneLine(MainIT.run("--resume", out.toString()), 2, "--resume " + out + ".ckpt");
        assertOneLine(MainIT.run("--resume", hint.group(1), "--epochs", "3"), 2, "--epochs 2", "--epochs 3");

        MainIT.Run resumed = MainIT.run("--resume", hint.group(1));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resumed from"), resumed.out());
        assertArrayEquals(ModelFile.read(straight.resolve("model.bin")).params(),
                ModelFile.read(out.resolve("model.bin")).params(), "the interrupted run's options and --out");
        // Item 8: no evals.jsonl without --eval-every.
        assertFalse(Files.exists(out.resolve("evals.jsonl")));
        assertTrue(Files.exists(out.resolve("metrics.jsonl")));
    }

    @Test
    void oneIdxFileAsDataNamesTheFolderToPass() {
        String file = data.resolve("train-images-idx3-ubyte").toString();
        assertOneLine(MainIT.run("--data", file, "--out", tmp.resolve("runs/idx").toString()), 3,
                "--data " + file + " is one IDX file", "--data " + data);
        assertFalse(Files.exists(tmp.resolve("runs/idx")));
    }

    // Item 5.

    @Test
    void inspectDescribesATableWithoutALabelColumn() {
        MainIT.Run r = MainIT.run("datasets", "inspect", "--data", REPO.resolve("examples/linear.csv").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("rows: 1,000 in 1 shard\n") && r.out().contains("no label column 'label'")
                && r.out().contains("last column 'y': min ")
                && r.out().matches("(?s).*\n  x +numeric +-?\\d.*") && r.out().contains("every row is valid"),
                r.out());
    }

    // Item 6.

    @Test
    void aSecondRunWithTheSameOutIsRefusedWhileTheFirstRuns() throws Exception {
        Path out = tmp.resolve("runs/same");
        CompletableFuture<MainIT.Run> first = CompletableFuture.supplyAsync(() -> MainIT.run(quick(out.toString(), 6)));
        Path lock = tmp.resolve("runs/same.ckpt/.lock");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(lock) && !first.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(lock), "the first run holds its lock");
        assertOneLine(MainIT.run(quick(out.toString(), 2)), 2, "--out " + out, "in use by another run",
                Long.toString(ProcessHandle.current().pid()));
        assertEquals(0, first.get(5, TimeUnit.MINUTES).code());
        assertFalse(Files.exists(lock), "released at the end");
        assertTrue(Files.exists(out.resolve("model.bin")));
    }

    @Test
    void aLockLeftByADeadProcessIsTakenOver() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(30, TimeUnit.SECONDS));
        Path ckpt = Files.createDirectories(tmp.resolve("runs/stale.ckpt"));
        Files.writeString(ckpt.resolve(".lock"), gone.pid() + "@" + java.net.InetAddress.getLocalHost().getHostName()
                + " 2026-01-01T00:00:00Z");
        MainIT.Run r = MainIT.run(quick(tmp.resolve("runs/stale").toString(), 1));
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(ckpt.resolve(".lock")));
    }

    // Item 7: paths are checked before Spark starts (an unreachable master would fail first otherwise).

    @Test
    void aMistypedPathFailsBeforeSparkStarts() throws Exception {
        String missing = tmp.resolve("data/mnst").toString();
        Child c = child(tmp.resolve("early.log"), "--data", missing, "--master", "spark://127.0.0.1:9",
                "--out", tmp.resolve("runs/early").toString());
        assertEquals(3, c.code(), c.output());
        assertEquals(List.of("data error: --data " + missing + ": no such file or folder"), c.stderrBeyondProgress());
        assertFalse(c.output().contains("starting Spark"), c.output());
        assertFalse(Files.exists(tmp.resolve("runs/early.ckpt")), "no checkpoint folder left behind");
    }

    // Item 8: a config file's relative paths are relative to the file.

    @Test
    void aConfigFilesRelativeDataIsRelativeToTheFile() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("elsewhere/conf"));
        Files.copy(REPO.resolve("examples/linear.csv"), folder.resolve("linear.csv"));
        Files.writeString(folder.resolve("linear.conf"), "data = \"linear.csv\"\ntask = regression\nlabel = y\n"
                + "layers = \"1,8,1\"\ntest-fraction = 0.2\n");
        MainIT.Run r = MainIT.run("--config", folder.resolve("linear.conf").toString(), "--validate");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("valid: "), r.out());
    }

    /** Exit code and everything the child printed (standard output and error, in order). */
    record Child(int code, String output) {
        /**
         * The child's console lines that are not its progress (our INFO lines, the numbers of a training run and its
         * closing lines, the JVM's note about the vector module).
         */
        List<String> stderrBeyondProgress() {
            return output.lines().filter(l -> !l.matches("\\d\\d:\\d\\d:\\d\\d INFO .*")
                    && !l.startsWith("WARNING: Using incubator modules") && !l.startsWith("training ")
                    && !l.matches("epoch \\d.*") && !l.startsWith("weights_sha256 ") && !l.startsWith("wrote "))
                    .toList();
        }
    }

    /** The command line in a new JVM with the project's JVM flags and log configuration, as the scripts run it. */
    private static Child child(Path log, String... args) throws IOException, InterruptedException {
        Properties jvm = new Properties();
        try (var in = Files.newInputStream(REPO.resolve("conf/jvm.properties"))) {
            jvm.load(in);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        cmd.addAll(List.of(jvm.getProperty("spark.jvm.flags").trim().split("\\s+")));
        cmd.add("-Dlog4j2.configurationFile=" + REPO.resolve("conf/log4j2.properties"));
        cmd.add("-Dsparknn.log.file=" + log.resolveSibling(log.getFileName() + ".spark"));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("child run timed out:\n" + Files.readString(log));
        }
        return new Child(p.exitValue(), Files.readString(log));
    }
}
