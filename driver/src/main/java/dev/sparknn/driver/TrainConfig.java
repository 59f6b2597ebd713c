package dev.sparknn.driver;

import dev.sparknn.ops.Activation;
import dev.sparknn.ops.Loss;
import dev.sparknn.ops.WeightInit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A validated training configuration. Every field comes from a command-line option of the same name
 * ({@link TrainCommand} documents each one; conf/train.properties holds the defaults). Invalid values fail here,
 * before Spark starts, with a message naming the option.
 *
 * @param data       folder of MNIST-named IDX files (raw or .gz): train-* for training, t10k-* for evaluation
 * @param layers     layer widths, input first, classes last, e.g. {@code [784, 100, 50, 10]}
 * @param batchSize  global batch: samples per optimizer step, summed over all partitions
 * @param momentum   0 for plain SGD, in {@code (0, 1)} for SGD with momentum
 * @param partitions number of partitions the training and test data are spread over
 * @param checkpointDir   folder (local path or Hadoop URI) for checkpoints
 * @param checkpointEvery also checkpoint every this many steps; 0 for epoch ends only
 * @param resume          checkpoint folder to continue from, or empty to start afresh
 */
public record TrainConfig(String data, int[] layers, Activation activation, Loss loss, WeightInit init, int epochs,
                          int batchSize, double lr, double momentum, int partitions, String master, long seed,
                          String out, boolean overwrite, String checkpointDir, int checkpointEvery,
                          int keepCheckpoints, String resume, OnDivergence onDivergence) {

    /** What to do when a step's loss or gradient is NaN or infinite. */
    public enum OnDivergence {
        /** Stop with exit code 4, keeping the last good checkpoint. */
        STOP,
        /** Drop the step's update, count it in {@code skipped_steps}, and go on. */
        SKIP
    }

    public TrainConfig {
        layers = layers.clone();
        if (layers.length < 2) {
            throw new ConfigException("--layers needs at least an input and an output size, got " + Arrays.toString(layers));
        }
        for (int width : layers) {
            if (width <= 0 || width > 1 << 20) {
                throw new ConfigException("--layers sizes must be in [1, 1048576], got " + width);
            }
        }
        if (layers[layers.length - 1] < 2) {
            throw new ConfigException("--layers must end with the number of classes (at least 2), got "
                    + layers[layers.length - 1]);
        }
        require(epochs >= 1, "--epochs must be at least 1, got " + epochs);
        require(batchSize >= 1, "--batch-size must be at least 1, got " + batchSize);
        require(lr > 0 && Double.isFinite(lr), "--lr must be a positive finite number, got " + lr);
        require(momentum >= 0 && momentum < 1, "--momentum must be in [0, 1), got " + momentum);
        require(partitions >= 1 && partitions <= 100_000, "--partitions must be in [1, 100000], got " + partitions);
        require(!master.isBlank(), "--master must not be empty");
        require(!out.isBlank(), "--out must not be empty");
        require(!checkpointDir.isBlank(), "--checkpoint-dir must not be empty");
        require(checkpointEvery >= 0, "--checkpoint-every must be 0 (epoch ends only) or a positive number of steps, got "
                + checkpointEvery);
        require(keepCheckpoints >= 1 && keepCheckpoints <= 1000, "--keep-checkpoints must be in [1, 1000], got "
                + keepCheckpoints);
    }

    /**
     * The options that shape the trained weights, as written in a checkpoint; resuming requires them all to
     * match. Where and how the run executes (master, output and checkpoint folders) may differ.
     */
    public Map<String, String> identity() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("data", data);
        m.put("layers", Arrays.stream(layers).mapToObj(Integer::toString).collect(Collectors.joining(",")));
        m.put("activation", activation.name().toLowerCase(Locale.ROOT));
        m.put("loss", loss.id());
        m.put("init", init.toString());
        m.put("epochs", Integer.toString(epochs));
        m.put("batch-size", Integer.toString(batchSize));
        m.put("lr", Double.toString(lr));
        m.put("momentum", Double.toString(momentum));
        m.put("partitions", Integer.toString(partitions));
        m.put("seed", Long.toString(seed));
        m.put("on-divergence", onDivergence.name().toLowerCase(Locale.ROOT));
        return m;
    }

    @Override
    public int[] layers() {
        return layers.clone();
    }

    public int numClasses() {
        return layers[layers.length - 1];
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new ConfigException(message);
        }
    }

    /** A configuration value that is out of range or inconsistent; the message names the option. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }
    }
}
