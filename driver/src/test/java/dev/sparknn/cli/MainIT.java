package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparknn.data.SparkTestSession;
import dev.sparknn.store.ModelFile;
import dev.sparknn.testing.Mnist;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end, in-process on the test JVM's shared Spark session (which the command leaves running). */
class MainIT {

    @TempDir
    static Path tmp;
    private static Path data;

    @BeforeAll
    static void setUp() throws Exception {
        SparkTestSession.get();
        data = Mnist.subset(tmp.resolve("mnist"), 2000, 500);
    }

    /** Exit code and captured output of one run. */
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        // A train without --out writes runs/ into the working directory, the module folder of the work tree: a
        // test must give every run a temporary --out.
        Path defaultOut = Path.of("runs");
        boolean existed = Files.exists(defaultOut);
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        assertTrue(existed || !Files.exists(defaultOut), "the command " + List.of(args) + " wrote "
                + defaultOut.toAbsolutePath() + ": give it a temporary --out");
        return new Run(code, out.toString(), err.toString());
    }

    /**
     * {@code evaluate} counts as correct exactly the test images whose {@code predict} label equals the true one;
     * the same images as PNG files and as CSV rows get the same predictions as from the IDX file.
     */
    private static void checkEvaluateAndPredictAgree(Path model) throws Exception {
        Run evaluated = run("evaluate", "--model", model.toString(), "--data", data.toString(), "--partitions", "3");
        assertEquals(0, evaluated.code(), evaluated.err());
        Matcher m = Pattern.compile("accuracy [\\d.]+%  \\(([\\d,]+) correct\\)").matcher(evaluated.out());
        assertTrue(m.find(), evaluated.out());
        long correct = Long.parseLong(m.group(1).replace(",", ""));

        Path images = data.resolve("t10k-images-idx3-ubyte");
        Path csv = tmp.resolve("predictions.csv");
        Run predicted = run("predict", "--model", model.toString(), "--input", images.toString(), "--output",
                csv.toString());
        assertEquals(0, predicted.code(), predicted.err());
        List<String> rows = Files.readAllLines(csv);
        assertEquals("source,predicted,p0,p1,p2,p3,p4,p5,p6,p7,p8,p9", rows.get(0));
        byte[] labels = Files.readAllBytes(data.resolve("t10k-labels-idx1-ubyte"));
        long agree = 0;
        for (int i = 1; i < rows.size(); i++) {
            String[] cells = rows.get(i).split(",");
            double sum = 0;
            for (int c = 2; c < cells.length; c++) {
                sum += Double.parseDouble(cells[c]);
            }
            // Printed with 6 significant digits (%.6g): each p < 1 is off by at most 5e-7, ten of them by 5e-6;
            // float32 softmax adds about 10 ulps of 1 (1.2e-6).
            assertEquals(1.0, sum, 1e-5, "probabilities of row " + i + " sum to 1");
            agree += Integer.parseInt(cells[1]) == labels[8 + i - 1] ? 1 : 0;
        }
        assertEquals(500, rows.size() - 1);
        assertEquals(correct, agree, "predict agrees with evaluate");

        // The first three test images as PNG files and as CSV rows.
        byte[] pixels = Files.readAllBytes(images);
        Path pngs = Files.createDirectories(tmp.resolve("pngs"));
        // A header naming every column, as training's CSV reader wants it.
        StringBuilder featureRows = new StringBuilder(String.join(",", java.util.stream.IntStream.range(0, 784)
                .mapToObj(p -> "px" + p).toList()) + "\n");
        for (int i = 0; i < 3; i++) {
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(28, 28,
                    java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
            for (int p = 0; p < 784; p++) {
                int v = pixels[16 + i * 784 + p] & 0xff;
                img.getRaster().setSample(p % 28, p / 28, 0, v);
                featureRows.append(p == 0 ? "" : ",").append(v / 255f);
            }
            featureRows.append('\n');
            javax.imageio.ImageIO.write(img, "png", pngs.resolve("img" + i + ".png").toFile());
        }
        Files.writeString(tmp.resolve("rows.csv"), featureRows);
        for (String input : new String[] {pngs.toString(), tmp.resolve("rows.csv").toString()}) {
            Run r = run("predict", "--model", model.toString(), "--input", input);
            assertEquals(0, r.code(), r.err());
            List<String> lines = r.out().lines().toList();
            for (int i = 0; i < 3; i++) {
                // The same pixels; only the BLAS blocking of a 3-row batch against a 500-row one differs.
                String[] fromIdx = rows.get(1 + i).split(",");
                String[] fromHere = lines.get(1 + i).split(",");
                assertEquals(fromIdx[1], fromHere[1], input + " row " + i + " label");
                for (int c = 2; c < fromIdx.length; c++) {
                    // Another BLAS blocking moves a float32 logit by a few ulps (~1e-7 relative), below predict's
                    // printing unit (%.6g: 1e-6 for p in [0.1, 1)); so the printed values differ by at most one
                    // unit, and 1e-6 plus the decimal parse's rounding admits exactly that.
                    assertEquals(Double.parseDouble(fromIdx[c]), Double.parseDouble(fromHere[c]), 1.000001e-6,
                            input + " row " + i + " p" + (c - 2));
                }
            }
        }
        Run bad = run("predict", "--model", model.toString(), "--input", data.resolve("t10k-labels-idx1-ubyte").toString());
        assertEquals(3, bad.code(), bad.err());
        assertTrue(bad.err().contains("t10k-labels-idx1-ubyte"), bad.err());
    }

    @Test
    void configFileLayersUnderTheCommandLineAndEachRunSavesOneThatRepeatsIt() throws Exception {
        Path conf = tmp.resolve("small.conf");
        // HOCON forms: a list for layers, 5e2 for a whole number, yes for true.
        Files.writeString(conf, "# a user's settings\nepochs = 1\nlayers = [784, 16, 10]\nbatch-size = 5e2\n"
                + "lr = 0.05\noverwrite = yes\n");
        Path first = tmp.resolve("conf-run");
        Run r = run("--config", conf.toString(), "--data", data.toString(), "--lr", "0.1", "--out", first.toString());
        assertEquals(0, r.code(), r.err());
        String saved = Files.readString(first.resolve("config.conf"));
        assertTrue(saved.contains("epochs = \"1\"") && saved.contains("layers = \"784,16,10\"")
                && saved.contains("lr = \"0.1\""), "file values, then the command line's: " + saved);

        Path second = tmp.resolve("conf-rerun");
        r = run("--config", first.resolve("config.conf").toString(), "--out", second.toString());
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(ModelFile.read(first.resolve("model.bin")).params(),
                ModelFile.read(second.resolve("model.bin")).params(), "the saved config repeats the run exactly");

        Files.writeString(conf, "epochs = 1\nlearning-rate = 0.1\n");
        Run unknown = run("--config", conf.toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--config " + conf + " line 2: unknown key 'learning-rate'"), unknown.err());
        Files.writeString(conf, "lr.x = 1\n");
        Run dotted = run("--config", conf.toString());
        assertEquals(2, dotted.code());
        assertTrue(dotted.err().contains("unknown key 'lr.x'"), dotted.err());
        Files.writeString(conf, "epochs = [1\n");
        Run broken = run("--config", conf.toString());
        assertEquals(2, broken.code());
        assertTrue(broken.err().contains("--config " + conf), broken.err());
    }

    @Test
    void gradcheckPassesOnRealRowsLocallyAndDistributed() {
        Run r = run("gradcheck", "--data", data.toString(), "--layers", "784,16,10", "--rows", "12", "--probes", "200",
                "--partitions", "3");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("numerical check over 12 rows: max relative error")
                && r.out().contains("distributed check over 3 partitions") && !r.out().contains("FAILED"), r.out());
    }

    /**
     * Exit 6, as the README says, when a check is out of its bound. Weights drawn with std 30 put the logits in the
     * thousands: float32 central differences at h = 1e-2 of a loss that large lose their digits (measured: analytic
     * 1.0 against numeric 1.17 on 784-32-10, 8 rows), a real disagreement that gradcheck must report, not hide.
     */
    @Test
    void gradcheckExitsWith6WhenAGradientIsOutOfBounds() {
        Run r = run("gradcheck", "--data", data.toString(), "--layers", "784,32,10", "--init", "30", "--rows", "8",
                "--probes", "60");
        assertEquals(6, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("bound 1e-02  FAILED"), r.out());
    }

    @Test
    void helpShowsEveryOptionWithItsDeclaredDefault() throws Exception {
        Run raw = run("--help");
        assertEquals(0, raw.code());
        // Help text is wrapped to the terminal width: compare with whitespace runs collapsed.
        Run help = new Run(0, raw.out().replaceAll("\\s+", " "), raw.err());
        for (dev.sparknn.train.TrainOption<?> option : dev.sparknn.train.TrainOptions.ALL) {
            String value = option.defaultText();
            assertTrue(help.out().contains(option.flag()), "--help lacks " + option.flag());
            assertTrue(help.out().contains("Default: " + value) || help.out().contains("Default: '" + value + "'"),
                    "--help lacks the default of " + option.flag());
        }
        assertFalse(help.out().contains("Default: null"), "an option has no declared default:\n"
                + help.out());
        assertTrue(help.out().contains("Exit codes"), help.out());
    }

    @Test
    void invalidOptionsExitWith2NamingTheOption() {
        for (String[] args : List.of(new String[] {"--lr", "-1"}, new String[] {"--lr", "abc"},
                new String[] {"--momentum", "1"}, new String[] {"--batch-size", "0"}, new String[] {"--epochs", "0"},
                new String[] {"--layers", "784,x,10"}, new String[] {"--activation", "swish"},
                new String[] {"--init", "-3"}, new String[] {"--partitions", "0"}, new String[] {"--optimizer", "rmsprop"},
                new String[] {"--schedule", "linear"}, new String[] {"--beta2", "1"}, new String[] {"--clip-norm", "-1"},
                new String[] {"--warmup-steps", "-1"}, new String[] {"--decay-factor", "2"},
                new String[] {"--on-divergence", "ignore"}, new String[] {"--keep-checkpoints", "0"})) {
            Run r = run(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().contains(args[0]), String.join(" ", args) + " message should name the option: " + r.err());
        }
        Run unknown = run("--learning-rate", "0.1");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--learning-rate"), unknown.err());
    }

    @Test
    void missingDataExitsWith3NamingTheFolder() {
        Path missing = tmp.resolve("no-such-folder");
        Run r = run("--data", missing.toString(), "--out", tmp.resolve("out-missing").toString());
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains(missing.toString()), r.err());
        assertFalse(Files.exists(tmp.resolve("out-missing")), "no output folder for a failed run");
    }

    @Test
    void unusableDataOutAndMasterAreNamed() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-folder"), "x");
        Run badData = run("--data", file.toString(), "--out", tmp.resolve("out-file").toString());
        assertEquals(3, badData.code(), badData.err());
        assertTrue(badData.err().contains(file + ": cannot tell its format"), badData.err());

        Run out = run("--data", MainIT.data.toString(), "--out", file.resolve("run").toString());
        assertEquals(2, out.code(), out.err());
        assertTrue(out.err().contains("--out " + file.resolve("run") + ": cannot create"), out.err());
        // --master: in a child JVM (ReadmeClaimsIT), since this one's shared session would be reused whatever it says.
    }

    @Test
    void layerSizesThatDoNotFitTheDataExitWith2() {
        Run r = run("--data", data.toString(), "--layers", "100,10", "--out", tmp.resolve("out-layers").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--layers starts with 100 inputs") && r.err().contains("784"), r.err());
    }

    @Test
    void labelsOutsideTheClassRangeExitWith3NamingTheFile() {
        Run r = run("--data", data.toString(), "--layers", "784,16,5", "--out", tmp.resolve("out-labels").toString());
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("train-labels-idx1-ubyte") && r.err().contains("[0, 5)") && r.err().contains("--layers"), r.err());
    }

    @Test
    void trainsAndWritesMetricsModelAndConfigThenRefusesToOverwriteUnlessAsked() throws Exception {
        Path out = tmp.resolve("run");
        // Synchronous steps: the progress lines below come one a step (rounds would report once a round).
        String[] args = {"--data", data.toString(), "--out", out.toString(), "--epochs", "2", "--batch-size", "200",
                "--layers", "784,32,10", "--partitions", "2", "--local-steps", "1"};
        Run r = run(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("epoch 1/2  train loss"), r.out());
        // Not a terminal: plain progress lines within the epoch (10 steps of 200 rows: one line a step).
        assertTrue(r.out().matches("(?s).*epoch 1/2  step 5/10  loss \\d+\\.\\d{4}  [\\d,]+ samples/s\n.*"), r.out());

        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(2, lines.size());
        JsonNode last = new ObjectMapper().readTree(lines.get(1));
        for (String key : new String[] {"epoch", "train_loss", "test_loss", "test_accuracy", "samples_per_second",
                "elapsed_seconds", "startup_seconds"}) {
            assertTrue(last.has(key), "metrics.jsonl lacks " + key + ": " + lines.get(1));
        }
        assertEquals(2, last.get("epoch").asInt());
        // The console closes with the final weights' hash, the last one of metrics.jsonl, then the output folder.
        List<String> console = r.out().lines().toList();
        assertEquals("weights_sha256 " + last.get("weights_sha256").asText(), console.get(console.size() - 2),
                r.out());
        assertTrue(console.get(console.size() - 1).matches("wrote .*run: report.html .*"), r.out());
        // Chance is 10%; this run (2 epochs of 784-32-10 on 2,000 rows, 10 synchronous steps each) measured 70.8%.
        // 50% leaves room for BLAS and order noise, while a broken gradient, aggregation or label stays near chance.
        assertTrue(last.get("test_accuracy").asDouble() > 0.5, lines.get(1));
        assertTrue(Files.readString(out.resolve("report.html")).contains("<img src=\"confusion.png\""));
        ModelFile.Model model = ModelFile.read(out.resolve("model.bin"));
        assertArrayEquals(new int[] {784, 32, 10}, model.network().sizes());
        assertEquals("784,32,10", new ObjectMapper().readTree(out.resolve("config.json").toFile()).get("layers").asText());
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().contains(".partial-")), "partial folder left");
        }

        checkEvaluateAndPredictAgree(out.resolve("model.bin"));

        byte[] before = Files.readAllBytes(out.resolve("model.bin"));
        Run refused = run(args);
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("already exists") && refused.err().contains("--overwrite"), refused.err());
        assertArrayEquals(before, Files.readAllBytes(out.resolve("model.bin")), "a refused run leaves the old output");

        String[] again = Stream.concat(Stream.of(args), Stream.of("--overwrite", "--seed", "7")).toArray(String[]::new);
        assertEquals(0, run(again).code());
        assertFalse(java.util.Arrays.equals(before, Files.readAllBytes(out.resolve("model.bin"))), "overwritten");
    }

    @Test
    void evaluatesEveryFewStepsAndStopsAtTheTargetAccuracy() throws Exception {
        Path out = tmp.resolve("target-run");
        // Synchronous steps, so that an evaluation comes exactly every 5 steps.
        Run r = run("--data", data.toString(), "--layers", "784,32,10", "--batch-size", "100", "--lr", "0.1",
                "--epochs", "5", "--eval-every", "5", "--target-accuracy", "0.6", "--local-steps", "1", "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("reached test accuracy"), r.out());
        List<String> evals = Files.readAllLines(out.resolve("evals.jsonl"));
        ObjectMapper json = new ObjectMapper();
        JsonNode last = json.readTree(evals.get(evals.size() - 1));
        assertTrue(last.get("test_accuracy").asDouble() >= 0.6, last::toString);
        for (int i = 0; i < evals.size() - 1; i++) {
            assertTrue(json.readTree(evals.get(i)).get("test_accuracy").asDouble() < 0.6, "stopped at the first");
            assertEquals(5 * (i + 1), json.readTree(evals.get(i)).get("global_step").asInt());
        }
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertTrue(metrics.size() < 5, "stopped before the last epoch");
        JsonNode epoch = json.readTree(metrics.get(metrics.size() - 1));
        JsonNode times = epoch.get("time_ms");
        assertTrue(times.get("round").asDouble() > 0 && times.get("compute").asDouble() > 0
                && times.get("compute").asDouble() < times.get("round").asDouble()
                && times.get("step").asDouble() == times.get("round").asDouble(), times::toString);
        // The same double written in two lines: equal up to the JSON decimal round trip (far below 1e-9 s).
        assertEquals(last.get("train_seconds").asDouble(), epoch.get("train_seconds").asDouble(), 1e-9);
        assertTrue(epoch.get("heap_after_gc_mb").asDouble() > 0, epoch::toString);
        assertTrue(Files.exists(out.resolve("model.bin")) && Files.exists(out.resolve("report.html")));
    }

    @Test
    void validateChecksTheDataAndWritesNothing() throws Exception {
        Path out = tmp.resolve("validate-run");
        Run ok = run("--data", data.toString(), "--validate", "--out", out.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("valid: 2,000 images for training, 500 test rows; 784 features per row"),
                ok.out());
        Path bad = tmp.resolve("bad.csv");
        Files.writeString(bad, "a,b,label\n1,2,0\n1,x,1\n");
        Run refused = run("--data", bad.toString(), "--layers", "2,4,2", "--validate", "--out", out.toString());
        assertEquals(3, refused.code(), refused.err());
        assertTrue(refused.err().contains("bad.csv line 3: column 'b' holds 'x', not a decimal number"), refused.err());
        Path corrupt = Files.createDirectories(tmp.resolve("corrupt-shards")).resolve("part-0.parquet");
        Files.writeString(corrupt, "PAR1 not really");
        Run unreadable = run("--data", corrupt.getParent().toString(), "--layers", "2,4,2", "--validate");
        assertEquals(3, unreadable.code(), unreadable.err());
        assertTrue(unreadable.err().contains("data error:") && unreadable.err().contains("part-0.parquet"),
                unreadable.err());
        Path swapped = Files.createDirectories(tmp.resolve("swapped-headers"));
        Files.writeString(swapped.resolve("p1.csv"), "a,b,label\n1,2,0\n");
        Files.writeString(swapped.resolve("p2.csv"), "b,a,label\n3,4,1\n");
        Run mixed = run("--data", swapped.toString(), "--layers", "2,4,2", "--validate");
        assertEquals(3, mixed.code(), mixed.err());
        // Whichever file Spark takes the header from, the other one is named.
        assertTrue(mixed.err().contains("p1.csv") || mixed.err().contains("p2.csv"), mixed.err());
        assertFalse(Files.exists(out), "--validate writes no output folder");
    }
}
