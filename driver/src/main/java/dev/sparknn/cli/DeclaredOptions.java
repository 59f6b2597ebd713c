package dev.sparknn.cli;

import dev.sparknn.train.TrainConfig;
import dev.sparknn.train.TrainOption;
import dev.sparknn.train.TrainOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The options of {@link TrainOptions} as picocli options: each command names the declarations it takes (a model
 * transformer below adds them to its spec). Name, placeholder, help text and default all come from the declaration,
 * except where a command words an option's help its own way (evaluate's and inspect's {@code --data}).
 * picocli only collects the text given ({@link #given}); the declaration parses and checks it, so a value is read
 * one way whether it comes from the command line, a --config file or a checkpoint ({@link OptionLayers}).
 */
final class DeclaredOptions {

    private DeclaredOptions() {
    }

    /** Adds {@code options} to {@code spec}, after its annotated options, each described by its declaration. */
    static CommandSpec addTo(CommandSpec spec, List<TrainOption<?>> options) {
        return addTo(spec, options, Map.of());
    }

    /**
     * Adds {@code options} to {@code spec}, after its annotated options, with a command's own wording for some of
     * them.
     *
     * @param docs plain-text help, without the default, replacing the declaration's (written for train) where it
     *             would mislead, e.g. evaluate's {@code --data}, which is no training data; the option is otherwise
     *             the declaration's (name, placeholder, default, parsing)
     */
    static CommandSpec addTo(CommandSpec spec, List<TrainOption<?>> options, Map<TrainOption<?>, String> docs) {
        for (TrainOption<?> o : options) {
            String fallback = o.type() == Boolean.class ? "true" : o.fallback();
            String doc = docs.getOrDefault(o, o.plainDoc());
            // picocli formats help text with String.format: a % of the doc is escaped.
            OptionSpec.Builder b = OptionSpec.builder(o.flag()).userObject(o).paramLabel(o.label()).type(String.class)
                    .description((doc + " Default: " + (o.defaultText().isEmpty() ? "''" : o.defaultText()))
                            .replace("%", "%%"));
            spec.addOption((fallback == null ? b : b.arity("0..1").fallbackValue(fallback)).build());
        }
        return spec;
    }

    /**
     * The text given on the command line of {@code spec} for each of its declared options, in declaration order.
     * Options are known by their declaration, not by name: a command's own {@code --seed} is not training's.
     */
    static Map<TrainOption<?>, String> given(CommandSpec spec) {
        Map<TrainOption<?>, String> given = new LinkedHashMap<>();
        for (OptionSpec o : spec.options()) {
            if (o.userObject() instanceof TrainOption<?> option && o.getValue() != null) {
                given.put(option, o.getValue());
            }
        }
        return given;
    }

    /**
     * The options {@code spec} declares, parsed and checked by their declarations, over the declared defaults.
     *
     * @throws dev.sparknn.train.TrainConfig.ConfigException naming the option if a value does not parse or is invalid
     */
    static TrainConfig config(CommandSpec spec) {
        TrainConfig.Builder b = TrainConfig.builder();
        given(spec).forEach(b::parse);
        return b.build();
    }

    /** train: every declared option. */
    static final class Train implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            return addTo(spec, TrainOptions.ALL);
        }
    }

    /** evaluate: the data options and Spark's. */
    static final class Evaluate implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            return addTo(spec, List.of(TrainOptions.DATA, TrainOptions.FORMAT, TrainOptions.LABEL,
                    TrainOptions.FEATURES, TrainOptions.PARTITIONS, TrainOptions.MASTER), Map.of(TrainOptions.DATA,
                    "Local path or Hadoop URI of the labelled data to evaluate the model on, read as train reads "
                            + "its data: an IDX folder named like MNIST's, raw or .gz (--split chooses its t10k or "
                            + "train files), or CSV / Parquet tables (a file, folder or glob) with the model's "
                            + "features and a label column."));
        }
    }

    /** gradcheck: the network's shape and initialisation, and Spark's options. */
    static final class Gradcheck implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            return addTo(spec, List.of(TrainOptions.LAYERS, TrainOptions.ACTIVATION, TrainOptions.LOSS,
                    TrainOptions.INIT, TrainOptions.PARTITIONS, TrainOptions.MASTER));
        }
    }

    /** datasets inspect: the data options and the master. */
    static final class Inspect implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            return addTo(spec, List.of(TrainOptions.DATA, TrainOptions.FORMAT, TrainOptions.LABEL,
                    TrainOptions.FEATURES, TrainOptions.MISSING, TrainOptions.TASK, TrainOptions.MASTER),
                    Map.of(TrainOptions.DATA, "Local path or Hadoop URI of the data to inspect, in any format train "
                            + "reads: an IDX folder named like MNIST's, raw or .gz, or CSV / Parquet tables (a file, "
                            + "folder or glob)."));
        }
    }

    /** datasets convert and augment: the master alone. */
    static final class Master implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            return addTo(spec, List.of(TrainOptions.MASTER));
        }
    }
}
