package dev.sparknn.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The Spark options of the commands other than train (a picocli mixin); defaults from conf/train.conf. */
final class SparkOptions {

    @Option(names = "--partitions", paramLabel = "N", description = "Partitions to spread the data over. "
            + "Default: ${DEFAULT-VALUE}")
    int partitions;

    @Mixin
    Master master;

    /** {@code --master} alone, for commands that choose no partition count. */
    static final class Master {
        @Option(names = "--master", paramLabel = "URL", description = "Spark master; under spark-submit, its master "
                + "wins unless this is given. Default: ${DEFAULT-VALUE}")
        String url;
    }
}
