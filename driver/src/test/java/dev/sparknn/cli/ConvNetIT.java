package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.data.SparkTestSession;
import dev.sparknn.store.ModelFile;
import dev.sparknn.testing.Mnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A convolutional network with batch normalization and dropout, trained through the command line on real MNIST
 * rows: the same weights on {@code local[1]} and {@code local[2]} with local steps (each partition's batch statistics,
 * running statistics averaged each round, dropout masks keyed by step and row), an exact resume from inside an epoch
 * (of synchronous steps, and of rounds of local steps), and {@code evaluate} and {@code predict} reading the model's
 * input shape.
 */
class ConvNetIT {

    private static final String LAYERS = "1x28x28,conv:6:5,batchnorm,relu,maxpool:2,dropout:0.25,affine:32,relu,"
            + "affine:10";

    @TempDir
    static Path tmp;
    private static Path data;

    @BeforeAll
    static void data() throws IOException {
        SparkTestSession.get();
        data = Mnist.subset(tmp.resolve("mnist"), 1000, 300);
    }

    private static List<String> common(String... more) {
        List<String> args = new ArrayList<>(List.of("--data", data.toString(), "--layers", LAYERS, "--epochs", "2",
                "--batch-size", "50", "--partitions", "3", "--seed", "11", "--optimizer", "adam", "--lr", "0.002"));
        args.addAll(List.of(more));
        return args;
    }

    @Test
    void localStepsGiveBitwiseTheSameWeightsOnOneAndTwoCores() throws Exception {
        List<String> args = common("--local-steps", "4");
        Path two = ClusterIT.submit(tmp, args, "local[2]", "two", Map.of());
        Path one = ClusterIT.submit(tmp, args, "local[1]", "one", Map.of());
        ClusterIT.assertSameWeights(two, "local[1]", one);
        // 1,000 rows, 40 steps: 53.3% on 300 test images (measured), where chance is 10%.
        String last = Files.readAllLines(two.resolve("metrics.jsonl")).get(1);
        double accuracy = ClusterIT.JSON.readTree(last).get("test_accuracy").asDouble();
        assertTrue(accuracy > 0.3, "accuracy " + accuracy);
    }

    @Test
    void resumedFromInsideAnEpochGivesBitwiseTheSameWeightsAndTheModelPredictsAsItEvaluates() throws Exception {
        // Synchronous steps: a checkpoint every 7 of the 20 steps an epoch lands inside epochs 1 and 2; the one after
        // step 28 resumes at epoch 2's step 9.
        Path model = resumedFromInsideAnEpoch("sync", 1, 7, 28, "at epoch 2 step 9");

        MainIT.Run evaluated = MainIT.run("evaluate", "--model", model.toString(), "--data", data.toString());
        assertEquals(0, evaluated.code(), evaluated.err());
        Matcher m = Pattern.compile("accuracy [\\d.]+%  \\(([\\d,]+) correct\\)").matcher(evaluated.out());
        assertTrue(m.find(), evaluated.out());
        long correct = Long.parseLong(m.group(1).replace(",", ""));
        Path csv = tmp.resolve("predictions.csv");
        MainIT.Run predicted = MainIT.run("predict", "--model", model.toString(), "--input",
                data.resolve("t10k-images-idx3-ubyte").toString(), "--output", csv.toString());
        assertEquals(0, predicted.code(), predicted.err());
        List<String> rows = Files.readAllLines(csv);
        byte[] labels = Files.readAllBytes(data.resolve("t10k-labels-idx1-ubyte"));
        long agree = 0;
        for (int i = 1; i < rows.size(); i++) {
            agree += Integer.parseInt(rows.get(i).split(",")[1]) == labels[8 + i - 1] ? 1 : 0;
        }
        assertEquals(300, rows.size() - 1);
        assertEquals(correct, agree, "predict's labels are right exactly where evaluate counts them right");
    }

    /**
     * Rounds of 4 local steps (rounds end at steps 4, 8, ..., 20 of each epoch's 20): the checkpoint after step 24, of
     * the round whose running statistics were averaged last, resumes at epoch 2's step 5.
     */
    @Test
    void resumedFromInsideAnEpochOfLocalStepsGivesBitwiseTheSameWeights() throws Exception {
        resumedFromInsideAnEpoch("rounds", 4, 8, 28, "at epoch 2 step 5");
    }

    /**
     * Trains the whole run with a checkpoint every {@code every} steps, then resumes a second run from a copy of those
     * up to step {@code upTo}, and checks that it resumed where {@code resumedAt} says and ended with bitwise the
     * whole run's weights. Returns the whole run's {@code model.bin}.
     */
    private static Path resumedFromInsideAnEpoch(String name, int localSteps, int every, long upTo, String resumedAt)
            throws Exception {
        String h = Integer.toString(localSteps);
        Path whole = tmp.resolve(name + "-whole");
        MainIT.Run r = MainIT.run(args(common("--local-steps", h, "--out", whole.toString(), "--checkpoint-dir",
                tmp.resolve(name + "-whole.ckpt").toString(), "--checkpoint-every", Integer.toString(every),
                "--keep-checkpoints", "100", "--master", "local[2]")));
        assertEquals(0, r.code(), r.err());

        Path checkpoints = Files.createDirectories(tmp.resolve(name + "-part.ckpt"));
        try (Stream<Path> files = Files.list(tmp.resolve(name + "-whole.ckpt"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String file = f.getFileName().toString();
                if (file.matches("\\.?ckpt-\\d+\\.bin.*") && Long.parseLong(file.replaceFirst("^\\.", "")
                        .substring(5, 17)) <= upTo) {
                    Files.copy(f, checkpoints.resolve(file));
                }
            }
        }
        Path resumed = tmp.resolve(name + "-resumed");
        r = MainIT.run(args(common("--local-steps", h, "--out", resumed.toString(), "--resume",
                checkpoints.toString(), "--master", "local[2]")));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(resumedAt), "resumed inside epoch 2: " + r.out());
        assertArrayEquals(ModelFile.read(whole.resolve("model.bin")).params(),
                ModelFile.read(resumed.resolve("model.bin")).params());
        return whole.resolve("model.bin");
    }

    private static String[] args(List<String> args) {
        return args.toArray(new String[0]);
    }
}
