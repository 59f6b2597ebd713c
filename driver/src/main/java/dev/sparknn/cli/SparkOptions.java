package dev.sparknn.cli;

import dev.sparknn.train.TrainOptions;
import picocli.CommandLine.Model.CommandSpec;

/** {@code --partitions} and {@code --master} as parsed by the commands other than train (declared in {@link TrainOptions}). */
final class SparkOptions {

    final int partitions;
    final String master;

    SparkOptions(CommandSpec spec) {
        partitions = DeclaredOptions.value(spec, TrainOptions.PARTITIONS);
        master = DeclaredOptions.value(spec, TrainOptions.MASTER);
    }
}
