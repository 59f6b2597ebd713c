package dev.sparknn.cli;

import dev.sparknn.train.DataConfig;
import dev.sparknn.train.TrainOptions;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Where labelled data is and how to read it, as parsed by evaluate and datasets inspect ({@code --data},
 * {@code --format}, {@code --label}, {@code --features}; declared in {@link TrainOptions}).
 */
final class DataOptions {

    final String data;
    final String label;
    private final String format;
    private final String features;

    DataOptions(CommandSpec spec) {
        data = DeclaredOptions.value(spec, TrainOptions.DATA);
        format = DeclaredOptions.value(spec, TrainOptions.FORMAT);
        label = DeclaredOptions.value(spec, TrainOptions.LABEL);
        features = DeclaredOptions.value(spec, TrainOptions.FEATURES);
    }

    DataConfig.Format format() {
        return DataConfig.Format.parse(format);
    }

    List<String> featureList() {
        return TrainOptions.columns(features);
    }
}
