package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparknn.data.SparkTestSession;
import dev.sparknn.report.Report;
import dev.sparknn.testing.Onnx;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The book's regression example end to end in its {@code --config} form, as the README mentions it: {@code y = 2x + 10}
 * plus N(0, 0.5²) noise ({@code examples/linear.csv}), fitted by a 1-32-1 ReLU network from
 * {@code conf/examples/linear-regression.conf}, whose {@code standardize = true} still reads as a boolean.
 */
class RegressionIT {

    /** The noise's standard deviation in examples/linear.csv: no model can beat it on fresh rows. */
    private static final double NOISE = 0.5;
    private static final Path REPO = Path.of(System.getProperty("sparknn.repo"));

    @TempDir
    static Path tmp;
    private static Path out;
    private static MainIT.Run trained;

    @BeforeAll
    static void train() {
        SparkTestSession.get();
        out = tmp.resolve("linear");
        // As the README runs it: the file names its own data, relative to its folder.
        trained = MainIT.run("--config", REPO.resolve("conf/examples/linear-regression.conf").toString(),
                "--out", out.toString());
    }

    @Test
    void testRmseComesCloseToTheNoise() throws Exception {
        assertEquals(0, trained.code(), trained.err());
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(20, lines.size());
        JsonNode last = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        // 200 held-out rows estimate the noise's std to about ±0.025; 0.6 leaves room for a slightly imperfect fit
        // and still fails a model that missed the slope or the offset (a constant fit scores ≈ 5.8).
        double testRmse = last.get("test_rmse").asDouble();
        assertTrue(testRmse > 0.4 && testRmse < 0.6, "test RMSE " + testRmse + " vs noise " + NOISE);
        // The same bound for the 800 training rows (±0.0125 on the noise's std); measured 0.496, test 0.499.
        assertTrue(last.get("train_rmse").asDouble() < 0.6, last::toString);
        assertFalse(last.has("test_accuracy"), last::toString);
        assertTrue(trained.out().contains("train rmse") && trained.out().contains("test rmse"), trained.out());
    }

    @Test
    void reportShowsRmseInsteadOfAccuracy() throws Exception {
        BufferedImage png = ImageIO.read(out.resolve("rmse.png").toFile());
        assertEquals(Report.WIDTH, png.getWidth());
        assertEquals(Report.HEIGHT, png.getHeight());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<h1>Test RMSE") && html.contains("<img src=\"rmse.png\""), html);
        assertFalse(Files.exists(out.resolve("confusion.png")) || html.contains("confusion.png"));
    }

    @Test
    void savedModelTakesRawFeaturesInPredictAndEvaluate() throws Exception {
        Path model = out.resolve("model.bin");
        Path xs = tmp.resolve("xs.csv");
        Files.writeString(xs, "x\n1\n5\n9\n");
        MainIT.Run predicted = MainIT.run("predict", "--model", model.toString(), "--input", xs.toString());
        assertEquals(0, predicted.code(), predicted.err());
        List<String> rows = predicted.out().lines().toList();
        assertEquals("source,y0", rows.get(0));
        double[] x = {1, 5, 9};
        for (int i = 0; i < 3; i++) {
            double y = Double.parseDouble(rows.get(i + 1).split(",")[1]);
            // Standardisation was folded into the first and last layers: raw x in, y ≈ 2x + 10 out. The fit misses
            // the line by sqrt(0.6² - 0.5²) ≈ 0.33 RMS at most (test RMSE < 0.6 over noise 0.5, above); measured
            // 0.006, 0.197 and 0.006 at x = 1, 5, 9. A model with the slope off by 0.1 misses by 0.9 at x = 9.
            assertEquals(2 * x[i] + 10, y, 0.5, "prediction at x = " + x[i]);
        }

        // The README's way, through the script: a command word keeps train.sh from adding its MNIST --data.
        ProcessBuilder script = new ProcessBuilder(REPO.resolve("scripts/train.sh").toString(), "predict", "--model",
                model.toString(), "--input", xs.toString()).redirectError(ProcessBuilder.Redirect.DISCARD);
        script.environment().put("SPARKNN_NO_BUILD", "1");
        assertEquals(predicted.out(), runScript(script, tmp.resolve("predict-script.out")));

        MainIT.Run evaluated = MainIT.run("evaluate", "--model", model.toString(), "--data",
                REPO.resolve("examples/linear.csv").toString(), "--label", "y");
        assertEquals(0, evaluated.code(), evaluated.err());
        Matcher m = Pattern.compile("rmse ([\\d.]+)").matcher(evaluated.out());
        assertTrue(m.find(), evaluated.out());
        // All 1,000 rows estimate the noise's 0.5 to ±0.011 (σ/√(2n)); the fit adds at most what the test RMSE bound
        // above allows (√(0.6² − 0.5²) ≈ 0.33 RMS, which puts the total under 0.6).
        assertEquals(NOISE, Double.parseDouble(m.group(1)), 0.1, evaluated.out());
    }

    /**
     * The README's export through the script (the packaged application jar, with its own copy of protobuf): the
     * trained, standardised regressor as ONNX gives in ONNX Runtime what predict gives, raw x in and y out.
     */
    @Test
    void exportedThroughTheScriptTheModelPredictsYFromRawXInOnnxRuntime() throws Exception {
        Path model = out.resolve("model.bin");
        Path onnx = tmp.resolve("linear.onnx");
        ProcessBuilder script = new ProcessBuilder(REPO.resolve("scripts/train.sh").toString(), "export", "--model",
                model.toString(), "--format", "onnx", "--output", onnx.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        script.environment().put("SPARKNN_NO_BUILD", "1");
        String said = runScript(script, tmp.resolve("export-script.out"));
        assertTrue(said.contains("outputs prediction [N, 1]"), said);

        float[] x = {1, 5, 9};
        float[] ours = new float[3];
        dev.sparknn.store.ModelFile.Model m = dev.sparknn.store.ModelFile.read(model);
        m.network().predict(m.params(), x, 3, m.network().newWorkspace(3), ours);
        float[] theirs = Onnx.run(Files.readAllBytes(onnx), x, 3, 1).get("prediction");
        for (int i = 0; i < 3; i++) {
            // OnnxExportIT's bound for ONNX Runtime against our forward pass (both float32, own summation orders).
            assertEquals(ours[i], theirs[i], 1e-5 * Math.max(1, Math.abs(ours[i])), "x = " + x[i]);
            assertEquals(2 * x[i] + 10, theirs[i], 0.5, "x = " + x[i]);
        }
    }

    @Test
    void regressionOptionsAreCheckedBeforeTraining() {
        String config = REPO.resolve("conf/examples/linear-regression.conf").toString();
        String data = REPO.resolve("examples/linear.csv").toString();
        MainIT.Run wide = MainIT.run("--config", config, "--data", data, "--layers", "1,8,2", "--out",
                tmp.resolve("wide").toString());
        assertEquals(2, wide.code(), wide.err());
        assertTrue(wide.err().contains("--layers must end with 1 output"), wide.err());
        MainIT.Run softmax = MainIT.run("--config", config, "--data", data, "--loss", "softmax-ce", "--out",
                tmp.resolve("softmax").toString());
        assertEquals(2, softmax.code(), softmax.err());
        assertTrue(softmax.err().contains("--task regression needs --loss mse"), softmax.err());
        MainIT.Run noLabel = MainIT.run("--config", config, "--data", data, "--label", "z", "--out",
                tmp.resolve("nolabel").toString());
        assertEquals(3, noLabel.code(), noLabel.err());
        assertTrue(noLabel.err().contains("linear.csv has no label column 'z'; its columns are [x, y]"),
                noLabel.err());
        assertFalse(Files.exists(tmp.resolve("nolabel")), "a failed run leaves no output folder");
    }

    /**
     * Runs {@code script} with its standard output in {@code out} and returns that output; fails if it does not exit
     * with 0 within two minutes (it then is killed), so a hung child cannot hang the build.
     */
    private static String runScript(ProcessBuilder script, Path out) throws Exception {
        Process p = script.redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            throw new AssertionError(String.join(" ", script.command()) + " did not finish within 2 minutes");
        }
        String said = Files.readString(out);
        assertEquals(0, p.exitValue(), said);
        return said;
    }
}
