package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparknn.data.SparkTestSession;
import dev.sparknn.store.Checkpoint;
import dev.sparknn.store.ModelFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A regression table trained from the command line with the defaults: x = −50, −48, …, 48 (50 rows) and
 * y = 2x + 10 + noise uniform in [−5, 5]. Features and target are standardised by default (a table), the model
 * folds both transforms in, and everything reported is in y's units. Also: a --batch-size beyond the training rows
 * is clipped to them, with a warning.
 */
class RegressionDefaultsIT {

    /** The noise is uniform on [−5, 5]: standard deviation 10/√12 = 2.89. */
    private static final double NOISE = 10 / Math.sqrt(12);
    /**
     * What describes the data; every training option is at its default. 300 epochs of one full-batch step (the
     * default batch is clipped to the 45 training rows).
     */
    private static final List<String> OPTIONS = List.of("--task", "regression", "--label", "y", "--layers", "1,32,1");

    @TempDir
    static Path tmp;
    private static Path csv;
    private static Path out;
    private static MainIT.Run trained;

    @BeforeAll
    static void train() throws IOException {
        SparkTestSession.get();
        csv = tmp.resolve("line.csv");
        StringBuilder rows = new StringBuilder("x,y\n");
        Random random = new Random(42);
        for (int x = -50; x < 50; x += 2) {
            rows.append(String.format(Locale.ROOT, "%d,%.6f%n", x, 2 * x + 10 + (random.nextDouble() * 10 - 5)));
        }
        Files.writeString(csv, rows);
        out = tmp.resolve("line");
        trained = run(out, "--epochs", "300");
    }

    private static MainIT.Run run(Path dir, String... more) {
        List<String> args = new ArrayList<>(List.of("--data", csv.toString(), "--out", dir.toString()));
        args.addAll(OPTIONS);
        args.addAll(List.of(more));
        return MainIT.run(args.toArray(new String[0]));
    }

    private static List<JsonNode> metrics(Path dir) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
            lines.add(new ObjectMapper().readTree(line));
        }
        return lines;
    }

    /** The {@code --batch-size} warning's numbers: the batch asked for and the training rows. */
    private static long[] clipWarning(String out) {
        Matcher m = Pattern.compile("warning: --batch-size ([\\d,]+) is larger than the ([\\d,]+) training rows; "
                + "using a batch of ([\\d,]+) \\(one step per epoch\\)").matcher(out);
        assertTrue(m.find(), out);
        long rows = Long.parseLong(m.group(2).replace(",", ""));
        assertEquals(rows, Long.parseLong(m.group(3).replace(",", "")), out);
        return new long[] {Long.parseLong(m.group(1).replace(",", "")), rows};
    }

    @Test
    void trainRmseReachesTheNoiseAndEveryFigureIsInTheTargetsUnits() throws Exception {
        assertEquals(0, trained.code(), trained.err());
        assertTrue(trained.out().contains("(features and target y standardised)"), trained.out());
        List<JsonNode> epochs = metrics(out);
        assertEquals(300, epochs.size());
        JsonNode last = epochs.get(299);
        double trainRmse = last.get("train_rmse").asDouble();
        // The noise's std is 2.89 (this draw: 2.45 about the best straight line through all 50 rows); 3.5 leaves
        // room for an imperfect fit and fails a line with a wrong slope or offset, or a constant (y's std is 58).
        assertTrue(trainRmse <= 3.5, "train RMSE " + trainRmse + " vs noise " + NOISE);
        // In y's units, not the standardised ones (RMSE near 0.04 there): loss = ½·squared error, RMSE = √(2·loss).
        assertTrue(trainRmse > 1, "train RMSE " + trainRmse);
        // Exact: the JSON numbers round-trip (Double.toString), and the run computes √(2·loss) from the same double
        // (for the test set, √(2·Σ/n) where loss = Σ/n, equal because doubling is exact).
        assertEquals(Math.sqrt(2 * last.get("train_loss").asDouble()), trainRmse);
        double testRmse = last.get("test_rmse").asDouble();
        assertEquals(Math.sqrt(2 * last.get("test_loss").asDouble()), testRmse);
        // 7 held-out rows: their RMSE is the noise's 2.89 ± 0.5 (one standard deviation) plus the fit's error.
        assertTrue(testRmse > 1 && testRmse < 5, "test RMSE " + testRmse);

        // The console's last epoch line shows the same figures.
        String line = trained.out().lines().filter(l -> l.startsWith("epoch 300/300")).findFirst().orElseThrow();
        assertTrue(line.contains(String.format(Locale.ROOT, "train loss %.4f  test loss %.4f  train rmse %.4g  "
                + "test rmse %.4g", last.get("train_loss").asDouble(), last.get("test_loss").asDouble(), trainRmse,
                testRmse)), line + " vs " + last);
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains(String.format(Locale.ROOT, "<h1>Test RMSE %.4g after 300 epochs", testRmse)), html);

        // One step per epoch, so each step's loss (the loss plot's points, kept in the checkpoint) is its epoch's.
        Path newest;
        try (Stream<Path> files = Files.list(tmp.resolve("line.ckpt"))) {
            newest = files.filter(p -> p.getFileName().toString().matches("ckpt-\\d+\\.bin")).max(Path::compareTo)
                    .orElseThrow();
        }
        double[] stepLosses = Checkpoint.fromBytes(Files.readAllBytes(newest), newest.toString()).stepLosses();
        assertEquals(300, stepLosses.length);
        for (int e : new int[] {0, 99, 299}) {
            double loss = epochs.get(e).get("train_loss").asDouble();
            // Exact: the epoch's one step has the epoch's loss sum and count, divided and scaled the same way.
            assertEquals(loss, stepLosses[e], "step loss of epoch " + (e + 1));
        }

        // Trained on standardised x and y, saved with both folded in: the model's weights are not the trained ones.
        assertNotEquals(last.get("weights_sha256").asText(),
                ModelFile.sha256(ModelFile.read(out.resolve("model.bin")).params()));
    }

    @Test
    void predictAndEvaluateWorkInTheTargetsUnits() throws Exception {
        assertEquals(0, trained.code(), trained.err());
        Path model = out.resolve("model.bin");
        List<String> lines = Files.readAllLines(csv).subList(1, 51);
        Path xs = tmp.resolve("xs.csv");
        StringBuilder column = new StringBuilder("x\n");
        lines.forEach(l -> column.append(l.split(",")[0]).append('\n'));
        Files.writeString(xs, column.append("10\n"));
        MainIT.Run predicted = MainIT.run("predict", "--model", model.toString(), "--input", xs.toString());
        assertEquals(0, predicted.code(), predicted.err());
        List<String> rows = predicted.out().lines().toList();
        assertEquals("source,y0", rows.get(0));
        assertEquals(52, rows.size());
        double at10 = Double.parseDouble(rows.get(51).split(",")[1]);
        // A straight line through 43 rows with noise std 2.89 is off at x = 10 by 0.47 (one standard error); the
        // best line through all 50 says 30.2, the network 31.4 (measured). ±3 allows for the ReLU pieces and still
        // fails any prediction not in y's units (the unfolded output is about 0.4; with μ but not σ, about 10).
        assertEquals(30, at10, 3, "prediction at x = 10");

        // evaluate's RMSE over the 50 rows is the RMSE of predict's values against y.
        double squares = 0;
        for (int i = 0; i < 50; i++) {
            double y = Double.parseDouble(lines.get(i).split(",")[1]);
            double e = Double.parseDouble(rows.get(i + 1).split(",")[1]) - y;
            squares += e * e;
        }
        double fromPredict = Math.sqrt(squares / 50);
        MainIT.Run evaluated = MainIT.run("evaluate", "--model", model.toString(), "--data", csv.toString(), "--label",
                "y");
        assertEquals(0, evaluated.code(), evaluated.err());
        Matcher m = Pattern.compile("on 50 rows of .*\\nrmse ([\\d.]+)  mean loss ([\\d.]+)").matcher(evaluated.out());
        assertTrue(m.find(), evaluated.out());
        double rmse = Double.parseDouble(m.group(1));
        // Both print 6 significant digits (±5e-5 on values up to ~100) and compute in float32 in batches of
        // different sizes (about 1e-5 relative): together far below 1e-3.
        assertEquals(fromPredict, rmse, 1e-3, evaluated.out());
        assertTrue(rmse > 1 && rmse <= 3.5, "evaluate RMSE " + rmse + " vs noise " + NOISE);
    }

    @Test
    void aBatchLargerThanTheTrainingRowsIsClippedWithAWarningAndEvalsAreInTheTargetsUnits() throws Exception {
        Path dir = tmp.resolve("big-batch");
        MainIT.Run r = run(dir, "--epochs", "2", "--batch-size", "1000", "--eval-every", "1");
        assertEquals(0, r.code(), r.err());
        long[] warned = clipWarning(r.out());
        assertEquals(1000, warned[0]);
        long rows = warned[1];
        assertTrue(rows > 30 && rows < 50, "a 10% hold-out of 50 rows leaves about 45: " + rows);
        assertTrue(r.out().contains(" 1 step of ~" + rows + " per epoch"), r.out());
        List<JsonNode> epochs = metrics(dir);
        assertEquals(1, epochs.get(1).get("steps").asInt());
        // The end-of-epoch evaluations in evals.jsonl are the metrics' own, in y's units.
        List<String> evals = Files.readAllLines(dir.resolve("evals.jsonl"));
        assertEquals(2, evals.size());
        for (int e = 0; e < 2; e++) {
            JsonNode eval = new ObjectMapper().readTree(evals.get(e));
            assertEquals(epochs.get(e).get("test_rmse").asDouble(), eval.get("test_rmse").asDouble(), 0.0);
            assertEquals(epochs.get(e).get("test_loss").asDouble(), eval.get("test_loss").asDouble(), 0.0);
        }
        // The default run's batch of 128 is clipped too.
        assertEquals(128, clipWarning(trained.out())[0]);
        // A batch that fits draws no warning.
        MainIT.Run fits = run(tmp.resolve("fits"), "--epochs", "1", "--batch-size", "8");
        assertEquals(0, fits.code(), fits.err());
        assertFalse(fits.out().contains("warning: --batch-size"), fits.out());
    }

    @Test
    void standardizeFalseScalesNothing() throws Exception {
        Path dir = tmp.resolve("raw");
        MainIT.Run r = run(dir, "--epochs", "1", "--standardize", "false");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().contains("standardised"), r.out());
        // Nothing folded: the saved weights are the trained ones.
        assertEquals(metrics(dir).get(0).get("weights_sha256").asText(),
                ModelFile.sha256(ModelFile.read(dir.resolve("model.bin")).params()));
        assertTrue(Files.readString(dir.resolve("config.json")).contains("\"standardize\" : \"false\""));
    }
}
