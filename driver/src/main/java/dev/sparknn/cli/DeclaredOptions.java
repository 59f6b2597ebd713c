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
 * transformer below adds them to its spec). Name, placeholder, help text and default all come from the declaration.
 * picocli only collects the text given ({@link #given}); the declaration parses and checks it, so a value is read
 * one way whether it comes from the command line, a --config file or a checkpoint ({@link OptionLayers}).
 */
final class DeclaredOptions {

    private DeclaredOptions() {
    }

    /** Adds {@code options} to {@code spec}, after its annotated options. */
    static CommandSpec addTo(CommandSpec spec, List<TrainOption<?>> options) {
        for (TrainOption<?> o : options) {
            String fallback = o.type() == Boolean.class ? "true" : o.fallback();
            // picocli formats help text with String.format: a % of the doc is escaped.
            OptionSpec.Builder b = OptionSpec.builder(o.flag()).userObject(o).paramLabel(o.label()).type(String.class)
                    .description((o.plainDoc() + " Default: " + (o.defaultText().isEmpty() ? "''" : o.defaultText()))
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
                    TrainOptions.FEATURES, TrainOptions.PARTITIONS, TrainOptions.MASTER));
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
                    TrainOptions.FEATURES, TrainOptions.MISSING, TrainOptions.TASK, TrainOptions.MASTER));
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
