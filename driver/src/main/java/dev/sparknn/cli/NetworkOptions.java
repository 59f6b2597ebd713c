package dev.sparknn.cli;

import dev.sparknn.ops.Activation;
import dev.sparknn.ops.Loss;
import dev.sparknn.ops.MeanSquaredError;
import dev.sparknn.ops.SoftmaxCrossEntropy;
import dev.sparknn.ops.WeightInit;
import dev.sparknn.train.Task;
import dev.sparknn.train.TrainOptions;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The network's shape and initialisation as parsed by gradcheck ({@code --layers}, {@code --activation},
 * {@code --loss}, {@code --init}; declared in {@link TrainOptions}).
 */
final class NetworkOptions {

    private final int[] layers;
    private final String activation;
    private final String loss;
    private final String init;

    NetworkOptions(CommandSpec spec) {
        layers = DeclaredOptions.value(spec, TrainOptions.LAYERS);
        activation = DeclaredOptions.value(spec, TrainOptions.ACTIVATION);
        loss = DeclaredOptions.value(spec, TrainOptions.LOSS);
        init = DeclaredOptions.value(spec, TrainOptions.INIT);
    }

    int[] sizes() {
        return layers.clone();
    }

    Activation activation() {
        return Activation.parse(activation);
    }

    /** The head {@code --loss} names; {@code auto} is softmax-ce for classification and mse for regression. */
    Loss loss(Task task) {
        if (loss.equals("auto")) {
            return task == Task.REGRESSION ? new MeanSquaredError() : new SoftmaxCrossEntropy();
        }
        return Loss.parse(loss);
    }

    WeightInit init() {
        return WeightInit.parse(init);
    }
}
