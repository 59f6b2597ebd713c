package dev.sparknn.cli;

import dev.sparknn.ops.Activation;
import dev.sparknn.ops.Loss;
import dev.sparknn.ops.MeanSquaredError;
import dev.sparknn.ops.Numbers;
import dev.sparknn.ops.SoftmaxCrossEntropy;
import dev.sparknn.ops.WeightInit;
import dev.sparknn.train.Task;
import dev.sparknn.train.TrainConfig;
import java.util.Arrays;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** The network's shape and initialisation, shared by train and gradcheck (a picocli mixin); defaults in conf/. */
final class NetworkOptions {

    @Option(names = "--layers", paramLabel = "N,N,...", description = "Layer widths, input first and number of "
            + "classes last; the input must match the images' pixel count. Default: ${DEFAULT-VALUE}")
    String layers;

    @Option(names = "--activation", paramLabel = "NAME", description = "Hidden-layer activation: relu, sigmoid, "
            + "tanh or identity. Default: ${DEFAULT-VALUE}")
    String activation;

    @Option(names = "--loss", paramLabel = "NAME", description = "Output head: softmax-ce (softmax with "
            + "cross-entropy), mse (squared error against one-hot labels, or against the targets for regression), "
            + "or auto (softmax-ce for classification, mse for regression). Default: ${DEFAULT-VALUE}")
    String loss;

    @Option(names = "--init", paramLabel = "SCHEME", description = "Weight initialisation: auto (He for relu, Xavier "
            + "otherwise), he, xavier, or a fixed standard deviation such as 0.01. Default: ${DEFAULT-VALUE}")
    String init;

    int[] sizes() {
        try {
            return Arrays.stream(layers.split(",")).mapToLong(Numbers::parseLong).mapToInt(Math::toIntExact)
                    .toArray();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new TrainConfig.ConfigException("--layers must be comma-separated integers such as 784,100,10, got '"
                    + layers + "'");
        }
    }

    Activation activation() {
        return parse("--activation", () -> Activation.parse(activation));
    }

    /** The head {@code --loss} names; {@code auto} is softmax-ce for classification and mse for regression. */
    Loss loss(Task task) {
        if (loss.equalsIgnoreCase("auto")) {
            return task == Task.REGRESSION ? new MeanSquaredError() : new SoftmaxCrossEntropy();
        }
        return parse("--loss", () -> Loss.parse(loss));
    }

    WeightInit init() {
        return parse("--init", () -> WeightInit.parse(init));
    }

    /** Runs {@code parser}, turning its IllegalArgumentException into a ConfigException naming {@code option}. */
    static <T> T parse(String option, Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new TrainConfig.ConfigException(option + ": " + e.getMessage());
        }
    }
}
