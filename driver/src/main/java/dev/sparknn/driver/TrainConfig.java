package dev.sparknn.driver;

import dev.sparknn.ops.Activation;
import dev.sparknn.ops.Loss;
import dev.sparknn.ops.WeightInit;
import java.util.Arrays;

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
 */
public record TrainConfig(String data, int[] layers, Activation activation, Loss loss, WeightInit init, int epochs,
                          int batchSize, double lr, double momentum, int partitions, String master, long seed,
                          String out, boolean overwrite) {

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
