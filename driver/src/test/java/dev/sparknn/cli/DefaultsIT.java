package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparknn.data.SparkTestSession;
import dev.sparknn.testing.Mnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every training option at its default (conf/train.conf) on datasets of different character, through the command
 * line: only what describes the data is given (path, layer widths) and, for the small tables, the number of epochs.
 * The seed's regression with the defaults is {@link RegressionDefaultsIT}. Each threshold is the value measured with these defaults (bench/defaults_grid.py, recorded in
 * the README) less a margin for what may differ between machines: the BLAS (native OpenBLAS or Java's rounds
 * differently, which moves a final accuracy by a few tenths of a point) and nothing else, since runs are bitwise
 * reproducible on one BLAS.
 */
@Timeout(900)
class DefaultsIT {

    private static final Path REPO = Path.of(System.getProperty("sparknn.repo"));

    @TempDir
    static Path tmp;

    @BeforeAll
    static void session() {
        SparkTestSession.get();
    }

    /** MNIST, 784-512-10: measured 98.01% after the default epochs; the README promises at least 97.5%. */
    @Test
    void mnistReachesTheReadmesAccuracy() throws Exception {
        JsonNode last = train("mnist", "--data", Mnist.dir().toString());
        assertTrue(last.get("test_accuracy").asDouble() >= 0.975, last::toString);
    }

    /**
     * Fashion-MNIST, the same layout and size, harder: measured 87.82% with the defaults. PyTorch's textbook recipe
     * (784-100-50-10, SGD, batch 100, 5 epochs) gets 85.1-87.1% on the same files; 86% fails the old large-batch
     * defaults (51-75% in sparknn, 74-78% imitated in PyTorch) and a constant learning rate (84.0% at lr 0.1). Skipped, saying so, only where scripts/fetch-fashion-mnist.sh could not
     * fetch the data (CI installs it).
     */
    @Test
    void fashionMnistTrainsAsWellAsTheTextbookRecipe() throws Exception {
        Path fashion = REPO.resolve("data/fashion-mnist");
        assumeTrue(Files.isRegularFile(fashion.resolve("train-images-idx3-ubyte")),
                "Fashion-MNIST is not in " + fashion + ": scripts/fetch-fashion-mnist.sh");
        JsonNode last = train("fashion", "--data", fashion.toString());
        assertTrue(last.get("test_accuracy").asDouble() >= 0.86, last::toString);
    }

    /**
     * Breast cancer (UCI), 30 features from 10^-3 to 10^3: standardised by default. Measured 96.46% on the 113 test
     * rows (one row is 0.9 points, so 94% allows two more errors); unstandardised SGD predicts the majority class,
     * 62.8%.
     */
    @Test
    void cancerTableWithFeaturesOrdersOfMagnitudeApart() throws Exception {
        JsonNode last = train("cancer", "--data", REPO.resolve("examples/cancer-train.csv").toString(),
                "--test-data", REPO.resolve("examples/cancer-test.csv").toString(), "--layers", "30,64,2",
                "--epochs", "50");
        assertTrue(last.get("test_accuracy").asDouble() >= 0.94, last::toString);
    }

    /**
     * Wine (UCI), 13 features, 3 classes, 142 training rows: measured 100% on 36 test rows (one row is 2.8 points, so
     * 94% allows two errors); unstandardised SGD predicts the majority class, 38.9%.
     */
    @Test
    void wineTable() throws Exception {
        JsonNode last = train("wine", "--data", REPO.resolve("examples/wine-train.csv").toString(),
                "--test-data", REPO.resolve("examples/wine-test.csv").toString(), "--layers", "13,64,3",
                "--epochs", "100");
        assertTrue(last.get("test_accuracy").asDouble() >= 0.94, last::toString);
    }

    /** Trains with {@code args} and every other option at its default; returns the last line of metrics.jsonl. */
    private static JsonNode train(String name, String... args) throws Exception {
        Path out = tmp.resolve(name);
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--out", out.toString()));
        MainIT.Run r = MainIT.run(all.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        return new ObjectMapper().readTree(lines.get(lines.size() - 1));
    }
}
