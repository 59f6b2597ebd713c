package dev.sparknn.cli;

import dev.sparknn.train.DataConfig;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Option;

/** Where labelled data is and how to read it, shared by train and evaluate (a picocli mixin); defaults in conf/. */
final class DataOptions {

    @Option(names = "--data", paramLabel = "PATH", description = "Local path or Hadoop URI of: a folder of IDX files "
            + "named like MNIST's, raw or .gz (train-images-idx3-ubyte, train-labels-idx1-ubyte for training, "
            + "t10k-* for testing); or CSV files with a header line, or Parquet shards (a file, folder or glob). "
            + "Default: ${DEFAULT-VALUE}")
    String data;

    @Option(names = "--format", paramLabel = "NAME", description = "auto (by the file names), idx, csv or parquet. "
            + "Default: ${DEFAULT-VALUE}")
    String format;

    @Option(names = "--label", paramLabel = "COLUMN", description = "Tables: the label column, a class index or, "
            + "with --task regression, the target value. Default: ${DEFAULT-VALUE}")
    String label;

    @Option(names = "--features", paramLabel = "COL,COL,...", description = "Tables: the feature columns, in order. "
            + "Empty: the array column 'features' if the table has one, otherwise every column but the label. "
            + "Default: '${DEFAULT-VALUE}'")
    String features;

    DataConfig.Format format() {
        return NetworkOptions.parse("--format", () -> DataConfig.Format.parse(format));
    }

    List<String> featureList() {
        return features.isBlank() ? List.of() : Arrays.stream(features.split(",")).map(String::trim).toList();
    }
}
