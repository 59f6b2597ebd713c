package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparknn.data.SparkTestSession;
import dev.sparknn.testing.Mnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The book's chapter 6 result for batch normalization: five hidden ReLU layers of 100 at weights of std 0.01 do not
 * train with plain SGD (lr 0.01, batch 100, 1,000 rows), and train with a batch normalization before each ReLU.
 */
class BatchNormBookIT {

    private static final String HIDDEN = "affine:100,%srelu,";

    @TempDir
    Path tmp;

    @Test
    void batchNormalizationTrainsTheNetworkThatDoesNotTrainWithoutIt() throws Exception {
        SparkTestSession.get();
        Path data = Mnist.subset(tmp.resolve("mnist"), 1000, 1000);
        // Measured over 20 epochs: 9.9% without (chance: the outputs do not move), 85.3% with.
        assertTrue(accuracy(data, "plain", "") < 0.2);
        assertTrue(accuracy(data, "bn", "batchnorm,") > 0.6);
    }

    private double accuracy(Path data, String name, String norm) throws Exception {
        String layers = "784," + String.format(HIDDEN, norm).repeat(5) + "affine:10";
        Path out = tmp.resolve(name);
        MainIT.Run r = MainIT.run("--data", data.toString(), "--layers", layers, "--init", "0.01", "--optimizer",
                "sgd", "--momentum", "0", "--lr", "0.01", "--schedule", "constant", "--batch-size", "100",
                "--local-steps", "1", "--epochs", "20", "--partitions", "2", "--out", out.toString(),
                "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        double accuracy = new ObjectMapper().readTree(lines.get(lines.size() - 1)).get("test_accuracy").asDouble();
        return accuracy;
    }
}
