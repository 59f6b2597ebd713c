package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.data.SparkTestSession;
import dev.sparknn.report.Report;
import dev.sparknn.store.ModelFile;
import dev.sparknn.testing.Mnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README claims about the command line that no other test covers: chunked training and a resume inside a chunked
 * epoch, a resume whose --data is spelled relative where the run had it absolute, evaluate's per-class table and
 * --split, exit code 4 for a diverged run, and predict --invert. Small data (2,000 MNIST rows, 784-16-10) keeps it
 * to a few seconds a run.
 */
class ReadmeClaimsIT {

    /** 2,000 rows at batch 100: 20 synchronous steps an epoch. */
    private static final int STEPS_PER_EPOCH = 20;

    @TempDir
    static Path tmp;
    private static Path data;

    @BeforeAll
    static void setUp() throws Exception {
        SparkTestSession.get();
        data = Mnist.subset(tmp.resolve("mnist"), 2000, 500);
    }

    /** The runs' common options, 2 epochs unless {@code more} says otherwise. */
    private static String[] args(Path dataPath, String... more) {
        List<String> all = new ArrayList<>(List.of("--data", dataPath.toString(), "--layers", "784,16,10",
                "--batch-size", "100", "--partitions", "2", "--local-steps", "1", "--seed", "3",
                "--keep-checkpoints", "100"));
        all.addAll(List.of(more));
        if (!all.contains("--epochs")) {
            all.addAll(List.of("--epochs", "2"));
        }
        return all.toArray(String[]::new);
    }

    /** Keeps only checkpoint {@code step} of {@code from}, in a new folder. */
    private static Path onlyCheckpoint(Path from, int step, String name) throws Exception {
        Path to = Files.createDirectories(tmp.resolve(name));
        String file = String.format("ckpt-%012d.bin", step);
        Files.copy(from.resolve(file), to.resolve(file));
        return to;
    }

    /**
     * --chunks 2 end to end, then a resume from a checkpoint copied from the middle of the second epoch (step 27 of
     * 40, so inside a chunk's share of the epoch): bitwise the weights of the uninterrupted chunked run.
     */
    @Test
    void chunkedTrainingResumesInsideAChunkedEpochToBitwiseTheSameWeights() throws Exception {
        Path full = tmp.resolve("chunks-full");
        MainIT.Run r = MainIT.run(args(data, "--chunks", "2", "--checkpoint-every", "9", "--out", full.toString(),
                "--checkpoint-dir", tmp.resolve("chunks-full.ckpt").toString()));
        assertEquals(0, r.code(), r.err());
        assertEquals(2, Files.readAllLines(full.resolve("metrics.jsonl")).size());
        Path partial = onlyCheckpoint(tmp.resolve("chunks-full.ckpt"), 27, "chunks-partial.ckpt");
        Path resumed = tmp.resolve("chunks-resumed");
        r = MainIT.run(args(data, "--chunks", "2", "--out", resumed.toString(), "--resume", partial.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("at epoch 2 step 8"), r.out());
        assertArrayEquals(ModelFile.read(full.resolve("model.bin")).params(),
                ModelFile.read(resumed.resolve("model.bin")).params());
    }

    /** A run given --data as an absolute path resumes with the same folder spelled relative to the working folder. */
    @Test
    void aResumeMatchesRelativeAndAbsoluteSpellingsOfTheData() throws Exception {
        Path full = tmp.resolve("abs-full");
        MainIT.Run r = MainIT.run(args(data.toAbsolutePath(), "--out", full.toString(), "--checkpoint-dir",
                tmp.resolve("abs-full.ckpt").toString()));
        assertEquals(0, r.code(), r.err());
        Path partial = onlyCheckpoint(tmp.resolve("abs-full.ckpt"), STEPS_PER_EPOCH, "abs-partial.ckpt");
        Path relative = Path.of("").toAbsolutePath().relativize(data.toAbsolutePath());
        assertFalse(relative.isAbsolute());
        Path resumed = tmp.resolve("rel-resumed");
        r = MainIT.run(args(relative, "--out", resumed.toString(), "--resume", partial.toString()));
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(ModelFile.read(full.resolve("model.bin")).params(),
                ModelFile.read(resumed.resolve("model.bin")).params());

        Path other = Files.createDirectories(tmp.resolve("other-mnist"));
        try (Stream<Path> files = Files.list(data)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, other.resolve(f.getFileName()));
            }
        }
        r = MainIT.run(args(other, "--out", tmp.resolve("other-resumed").toString(), "--resume", partial.toString()));
        assertEquals(2, r.code(), "another folder is another run: " + r.err());
        assertTrue(r.err().contains("--data"), r.err());
    }

    /**
     * evaluate's per-class table agrees with its own confusion matrix: rows per class (the test labels' histogram),
     * precision = diagonal / column sum, recall = diagonal / row sum, F1 their harmonic mean, all to the 4 printed
     * decimals; accuracy is the diagonal's share; and --split picks the IDX split.
     */
    @Test
    void evaluatePrintsAPerClassTableThatAgreesWithItsConfusionMatrixAndHonoursSplit() throws Exception {
        Path out = tmp.resolve("eval-model");
        MainIT.Run r = MainIT.run(args(data, "--epochs", "1", "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        String model = out.resolve("model.bin").toString();
        MainIT.Run test = MainIT.run("evaluate", "--model", model, "--data", data.toString());
        assertEquals(0, test.code(), test.err());
        assertTrue(test.out().contains("on 500 rows"), test.out());
        List<String> lines = test.out().lines().toList();
        int tableAt = lines.indexOf("class      rows  precision  recall      F1");
        int matrixAt = lines.indexOf("confusion matrix (rows true, columns predicted):");
        // Ten class lines, then a legend line when a metric is undefined (–), then the matrix.
        assertTrue(tableAt >= 0 && (matrixAt == tableAt + 11 || matrixAt == tableAt + 12
                && lines.get(tableAt + 11).startsWith(Report.UNDEFINED + ": undefined")), test.out());
        long[][] confusion = new long[10][10];
        for (int t = 0; t < 10; t++) {
            String[] cells = lines.get(matrixAt + 2 + t).trim().split("\\s+");
            assertEquals(Integer.toString(t), cells[0]);
            for (int p = 0; p < 10; p++) {
                confusion[t][p] = Long.parseLong(cells[p + 1]);
            }
        }
        byte[] labels = Files.readAllBytes(data.resolve("t10k-labels-idx1-ubyte"));
        long total = 0;
        long diagonal = 0;
        for (int c = 0; c < 10; c++) {
            String[] cells = lines.get(tableAt + 1 + c).trim().split("\\s+");
            long rows = Arrays.stream(confusion[c]).sum();
            long predicted = 0;
            for (int t = 0; t < 10; t++) {
                predicted += confusion[t][c];
            }
            long expectedRows = 0;
            for (int i = 8; i < labels.length; i++) {
                expectedRows += labels[i] == c ? 1 : 0;
            }
            // Undefined (0/0, printed as –) for a class never predicted or without rows; F1 as sklearn's
            // 2·TP / (2·TP + FP + FN), undefined only for a class neither present nor predicted.
            double precision = predicted == 0 ? Double.NaN : (double) confusion[c][c] / predicted;
            double recall = rows == 0 ? Double.NaN : (double) confusion[c][c] / rows;
            double f1 = 2.0 * confusion[c][c] / (predicted + rows);
            assertEquals(List.of(Integer.toString(c), Long.toString(expectedRows), Report.ratio(precision),
                    Report.ratio(recall), Report.ratio(f1)), List.of(cells), "class " + c);
            total += rows;
            diagonal += confusion[c][c];
        }
        assertEquals(500, total);
        Matcher m = Pattern.compile("accuracy [\\d.]+%  \\(([\\d,]+) correct\\)").matcher(test.out());
        assertTrue(m.find(), test.out());
        assertEquals(diagonal, Long.parseLong(m.group(1).replace(",", "")));

        MainIT.Run train = MainIT.run("evaluate", "--model", model, "--data", data.toString(), "--split", "train");
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("on 2,000 rows"), train.out());

        checkPredictInvert(model);
    }

    /**
     * predict --invert: the first test images as white-on-black PNGs, and inverted (dark digits on light, as
     * scanned), read with --invert, give the same predictions; the inverted ones without --invert do not.
     */
    private static void checkPredictInvert(String model) throws Exception {
        byte[] pixels = Files.readAllBytes(data.resolve("t10k-images-idx3-ubyte"));
        Path plain = Files.createDirectories(tmp.resolve("png-plain"));
        Path inverted = Files.createDirectories(tmp.resolve("png-inverted"));
        for (int i = 0; i < 5; i++) {
            java.awt.image.BufferedImage a = new java.awt.image.BufferedImage(28, 28,
                    java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
            java.awt.image.BufferedImage b = new java.awt.image.BufferedImage(28, 28,
                    java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
            for (int p = 0; p < 784; p++) {
                int v = pixels[16 + i * 784 + p] & 0xff;
                a.getRaster().setSample(p % 28, p / 28, 0, v);
                b.getRaster().setSample(p % 28, p / 28, 0, 255 - v);
            }
            javax.imageio.ImageIO.write(a, "png", plain.resolve("img" + i + ".png").toFile());
            javax.imageio.ImageIO.write(b, "png", inverted.resolve("img" + i + ".png").toFile());
        }
        MainIT.Run straight = MainIT.run("predict", "--model", model, "--input", plain.toString());
        MainIT.Run invert = MainIT.run("predict", "--model", model, "--input", inverted.toString(), "--invert");
        MainIT.Run notInverted = MainIT.run("predict", "--model", model, "--input", inverted.toString());
        for (MainIT.Run r : List.of(straight, invert, notInverted)) {
            assertEquals(0, r.code(), r.err());
        }
        // Rows are source,predicted,p0..p9; the sources name different folders. --invert reads a grey level b as
        // 1 - b/255, which differs from (255 - b)/255 by float32 rounding (an ulp, 6e-8, per pixel): the same
        // classes, and probabilities within a few units of predict's 6th printed digit.
        List<String> a = withoutSources(straight.out());
        List<String> b = withoutSources(invert.out());
        assertEquals(5, a.size());
        for (int r = 0; r < a.size(); r++) {
            String[] x = a.get(r).split(",");
            String[] y = b.get(r).split(",");
            assertEquals(x[0], y[0], "row " + r + " class");
            for (int c = 1; c < x.length; c++) {
                assertEquals(Double.parseDouble(x[c]), Double.parseDouble(y[c]), 5e-6, "row " + r + " p" + (c - 1));
            }
        }
        assertFalse(a.equals(withoutSources(notInverted.out())),
                "without --invert, dark-on-light images read as other inputs");
    }

    private static List<String> withoutSources(String csv) {
        return csv.lines().skip(1).map(l -> l.substring(l.indexOf(',') + 1)).toList();
    }

    /** A run whose loss goes non-finite stops with exit code 4 through the command line, naming where. */
    @Test
    void aDivergedRunExitsWith4NamingTheStep() throws Exception {
        Path out = tmp.resolve("diverged");
        MainIT.Run r = MainIT.run(args(data, "--lr", "1e30", "--momentum", "0", "--out", out.toString()));
        assertEquals(4, r.code(), r.out() + r.err());
        assertTrue(r.err().matches("(?s)error: .*epoch 1.*step \\d+.*"), r.err());
        assertFalse(Files.exists(out), "a diverged run leaves no output folder");
    }

    /**
     * A master Spark cannot start with is a configuration error (exit 2) naming --master, and nothing is written. In a
     * child JVM: in this one, the shared test session would be reused whatever --master says.
     */
    @Test
    void aMasterSparkCannotStartWithExitsWith2() throws Exception {
        Path out = tmp.resolve("bad-master");
        Path log = tmp.resolve("bad-master.log");
        Process p = ResumeIT.launch(log, args(data, "--master", "nosuch://127.0.0.1:1", "--out", out.toString()));
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            throw new AssertionError("still running after 2 minutes:\n" + Files.readString(log));
        }
        String said = Files.readString(log);
        assertEquals(2, p.exitValue(), said);
        assertTrue(said.contains("error: Spark could not start with --master nosuch://127.0.0.1:1"), said);
        assertFalse(Files.exists(out), "nothing written for a run that never started");
    }
}
