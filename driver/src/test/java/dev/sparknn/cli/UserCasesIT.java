package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparknn.data.SparkTestSession;
import dev.sparknn.store.ModelFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cases built from users' public bug reports (the shared cases list), end to end through the command line,
 * each held to its right value. Inputs are the generators' files, committed under {@code src/test/resources/cases}
 * (the IDX ones in the datasets module's).
 */
@Timeout(120)
class UserCasesIT {

    private static final Path CASES = Path.of("src/test/resources/cases");
    /** The IDX cases, whose one copy is the datasets module's, which reads IDX. */
    private static final Path IDX_CASES = Path.of("../datasets/src/test/resources/cases");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    /** The model of case 5, trained on order/train.csv (columns label,a,b; class = a > b). */
    private static Path orderModel;
    private static MainIT.Run orderRun;

    @BeforeAll
    static void trainOnNamedColumns() {
        SparkTestSession.get();
        orderRun = MainIT.run("train", "--data", CASES.resolve("order/train.csv").toString(), "--test-data",
                CASES.resolve("order/test.csv").toString(), "--layers", "2,16,2", "--epochs", "10",
                "--out", tmp.resolve("order").toString(), "--master", "local[2]");
        orderModel = tmp.resolve("order/model.bin");
    }

    /** Case 1: an IDX folder whose files are spelled train-images.idx3-ubyte, as several mirrors name them. */
    @Test
    void idxFilesSpelledAsMirrorsSpellThemTrain() {
        MainIT.Run r = MainIT.run("train", "--data", IDX_CASES.resolve("dotted").toString(), "--layers", "16,8,3",
                "--epochs", "1", "--out", tmp.resolve("dotted").toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("60 images"), r.out());
    }

    /** Case 2: an uncompressed file with a .gz name (a browser unpacked the download) is described by its bytes. */
    @Test
    void anUncompressedFileNamedGzIsNamedForWhatItIs() throws IOException {
        Path idx = Files.createDirectories(tmp.resolve("gz-named"));
        try (Stream<Path> files = Files.list(IDX_CASES.resolve("idx"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, idx.resolve(f.getFileName()));
            }
        }
        Files.move(idx.resolve("train-images-idx3-ubyte"), idx.resolve("train-images-idx3-ubyte.gz"));
        MainIT.Run r = MainIT.run("train", "--data", idx.toString(), "--layers", "16,8,3", "--epochs", "1",
                "--out", tmp.resolve("gz-out").toString(), "--master", "local[2]");
        assertEquals(Main.EXIT_DATA, r.code(), r.err());
        assertTrue(r.err().contains("train-images-idx3-ubyte.gz is an uncompressed IDX images file (magic "
                + "0x00000803), not gzip: remove .gz from its name"), r.err());
    }

    /** Case 3: Java's number suffixes are no numbers, in labels, features, --validate, options and config files. */
    @Test
    void javaNumberSuffixesAreRefusedNamingColumnAndCell() throws IOException {
        for (String mode : new String[] {"train", "validate"}) {
            List<String> args = new ArrayList<>(List.of("train", "--data", CASES.resolve("lab/suffix.csv").toString(),
                    "--layers", "2,8,3", "--epochs", "1", "--out", tmp.resolve("suffix-" + mode).toString(),
                    "--master", "local[2]"));
            if (mode.equals("validate")) {
                args.add("--validate");
            }
            MainIT.Run r = MainIT.run(args.toArray(String[]::new));
            assertEquals(Main.EXIT_DATA, r.code(), mode + ": " + r.err());
            assertTrue(r.err().matches("(?s).*suffix\\.csv line 2: column 'label' holds '[012]d', not a decimal number.*"),
                    r.err());

            args.set(2, CASES.resolve("lab/featsuffix.csv").toString());
            r = MainIT.run(args.toArray(String[]::new));
            assertEquals(Main.EXIT_DATA, r.code(), mode + ": " + r.err());
            assertTrue(r.err().matches("(?s).*featsuffix\\.csv line 2: column 'a' holds '0\\.\\d{4}f', not a decimal "
                    + "number.*"), r.err());
        }
        // Each with an --out of its own, so that nothing is written into the work tree should the check ever pass.
        MainIT.Run r = MainIT.run("train", "--data", IDX_CASES.resolve("dotted").toString(), "--layers", "16,8,3",
                "--lr", "0.1d", "--out", tmp.resolve("suffix-lr").toString());
        assertEquals(Main.EXIT_CONFIG, r.code(), r.err());
        assertTrue(r.err().contains("'0.1d' is not a decimal number"), r.err());
        Path config = tmp.resolve("suffix.conf");
        Files.writeString(config, "epochs = 5L\n");
        r = MainIT.run("train", "--config", config.toString(), "--data", IDX_CASES.resolve("dotted").toString(),
                "--layers", "16,8,3", "--out", tmp.resolve("suffix-config").toString());
        assertEquals(Main.EXIT_CONFIG, r.code(), r.err());
        assertTrue(r.err().contains("'5L' is not a whole decimal number"), r.err());
    }

    /**
     * Case 5: the test table has the training table's columns in another order (label,b,a): read by name in
     * training, evaluate and predict, with the names kept in the model file.
     */
    @Test
    void featuresAreMatchedByNameWhereverATableMeetsAModel() throws IOException {
        assertEquals(0, orderRun.code(), orderRun.err());
        List<String> metrics = Files.readAllLines(tmp.resolve("order/metrics.jsonl"));
        double accuracy = JSON.readTree(metrics.get(metrics.size() - 1)).get("test_accuracy").asDouble();
        // Measured 1.0 on the 500 test rows; the columns matched by position instead of by name would swap a and b.
        assertTrue(accuracy >= 0.95, "test accuracy " + accuracy);
        assertEquals(List.of("a", "b"), ModelFile.read(orderModel).features());

        MainIT.Run r = MainIT.run("evaluate", "--model", orderModel.toString(), "--data",
                CASES.resolve("order/test.csv").toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("accuracy ([\\d.]+)%").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Double.parseDouble(m.group(1)) >= 95, r.out());

        assertEquals(List.of(1, 0), predicted(CASES.resolve("order/pred-ba.csv")));
        // The names the model stores may be given with --features, in their order; another order is refused.
        assertEquals(List.of(1, 0), predicted(CASES.resolve("order/pred-ba.csv"), "--features", "a,b"));
        r = MainIT.run("predict", "--model", orderModel.toString(), "--input",
                CASES.resolve("order/pred-ba.csv").toString(), "--features", "b,a");
        assertEquals(Main.EXIT_CONFIG, r.code(), r.err());
        assertEquals("error: --features b,a disagrees with the features stored in " + orderModel + ", a,b (in that "
                + "order); leave --features out to read those", r.err().strip());
    }

    /** Case 6: predict reads CSV as training does: a numeric header is a header; quoted cells are numbers. */
    @Test
    void predictReadsCsvAsTrainingDoes() throws IOException {
        assertEquals(0, orderRun.code(), orderRun.err());
        assertEquals(List.of(1, 0), predicted(CASES.resolve("dialect/numeric-header.csv")));
        assertEquals(List.of(1, 0), predicted(CASES.resolve("dialect/quoted.csv")));
    }

    /** The predicted class of each row {@code predict} writes for {@code input} with the model of case 5. */
    private static List<Integer> predicted(Path input, String... options) throws IOException {
        Path out = tmp.resolve(input.getFileName() + ".predictions.csv");
        List<String> args = new ArrayList<>(List.of("predict", "--model", orderModel.toString(), "--input",
                input.toString(), "--output", out.toString()));
        args.addAll(List.of(options));
        MainIT.Run r = MainIT.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals("source,predicted,p0,p1", lines.get(0));
        return lines.subList(1, lines.size()).stream().map(l -> Integer.parseInt(l.split(",")[1])).toList();
    }

    /**
     * Case 14: a 3-class model on data without class 2: no NaN anywhere, undefined metrics shown as –, and a
     * warning naming the absent class.
     */
    @Test
    void undefinedMetricsAreShownAsUndefinedAndAbsentClassesNamed() throws IOException {
        Path rare = CASES.resolve("rare/rare.csv");
        MainIT.Run r = MainIT.run("train", "--data", rare.toString(), "--layers", "2,8,3", "--epochs", "2",
                "--out", tmp.resolve("rare").toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("(?s).*warning: class(es)? [\\d, ]*2 of 3 ha(s|ve) no rows in the test rows.*"),
                r.out());
        String html = Files.readString(tmp.resolve("rare/report.html"));
        assertFalse(html.contains("NaN"), html);
        assertTrue(html.contains("<td>\u2013</td>"), html);

        r = MainIT.run("evaluate", "--model", tmp.resolve("rare/model.bin").toString(), "--data", rare.toString(),
                "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().contains("NaN"), r.out());
        assertTrue(r.err().contains("warning: class 2 of 3 has no rows in " + rare), r.err());
        // Class 2: no rows and never predicted, so precision, recall and F1 are all 0/0.
        assertTrue(r.out().matches("(?s).*\n    2         0          \u2013       \u2013       \u2013\n.*"),
                r.out());
    }

    /**
     * Case 13: a run resumed from a checkpoint in the middle of an epoch writes the same metrics.jsonl and
     * evals.jsonl as the uninterrupted run (times aside), and its training clock goes on from the checkpoint's.
     */
    @Test
    void aResumedRunKeepsTheWholeHistory() throws IOException {
        // 60 images at batch 10: 6 steps an epoch; evaluations every 5 steps, checkpoints every 4 (step 8 is
        // epoch 2 step 2, after the evaluations of steps 5 and 6).
        String[] common = {"train", "--data", IDX_CASES.resolve("idx").toString(), "--layers", "16,8,3", "--epochs", "3",
            "--batch-size", "10", "--local-steps", "1", "--eval-every", "5", "--checkpoint-every", "4",
            "--keep-checkpoints", "10", "--master", "local[2]"};
        Path full = tmp.resolve("history-full.ckpt");
        MainIT.Run r = MainIT.run(with(common, "--out", tmp.resolve("history-full").toString(), "--checkpoint-dir",
                full.toString()));
        assertEquals(0, r.code(), r.err());
        Path partial = Files.createDirectories(tmp.resolve("history-partial.ckpt"));
        Files.copy(full.resolve("ckpt-000000000008.bin"), partial.resolve("ckpt-000000000008.bin"));
        r = MainIT.run(with(common, "--out", tmp.resolve("history-resumed").toString(), "--resume",
                partial.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("at epoch 2 step 3"), r.out());

        for (String file : new String[] {"metrics.jsonl", "evals.jsonl"}) {
            List<String> expected = Files.readAllLines(tmp.resolve("history-full").resolve(file));
            List<String> resumed = Files.readAllLines(tmp.resolve("history-resumed").resolve(file));
            assertEquals(withoutTimes(expected), withoutTimes(resumed), file);
            assertClockNeverGoesBack(resumed, file);
        }
        assertEquals(6, Files.readAllLines(tmp.resolve("history-resumed/evals.jsonl")).size(),
                "evaluations at steps 5, 6, 10, 12, 15, 18");
    }

    /** The lines without what measures time (seconds, rates, heap), which differs run to run. */
    private static List<String> withoutTimes(List<String> lines) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            ObjectNode o = (ObjectNode) JSON.readTree(line);
            o.remove(List.of("train_seconds", "elapsed_seconds", "epoch_seconds", "startup_seconds",
                    "samples_per_second", "heap_after_gc_mb", "time_ms"));
            out.add(o.toString());
        }
        return out;
    }

    /** train_seconds never decreases: a resume goes on from the checkpoint's clock instead of restarting at 0. */
    private static void assertClockNeverGoesBack(List<String> lines, String file) throws IOException {
        double last = 0;
        for (String line : lines) {
            JsonNode o = JSON.readTree(line);
            double t = o.get("train_seconds").asDouble();
            assertTrue(t >= last, file + ": train_seconds went from " + last + " to " + t + " in " + lines);
            last = t;
        }
    }

    private static String[] with(String[] args, String... extra) {
        return Stream.concat(Stream.of(args), Stream.of(extra)).toArray(String[]::new);
    }
}
