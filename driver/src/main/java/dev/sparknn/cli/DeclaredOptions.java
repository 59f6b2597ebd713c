package dev.sparknn.cli;

import dev.sparknn.train.TrainOption;
import dev.sparknn.train.TrainOptions;
import java.util.List;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The options of {@link TrainOptions} as picocli options: each command names the declarations it takes (a model
 * transformer below adds them to its spec) and reads their values back with {@link #value}. Name, placeholder,
 * help text and the value's type all come from the declaration; defaults come from {@link TrainDefaults}.
 */
final class DeclaredOptions {

    private DeclaredOptions() {
    }

    /** Adds {@code options} to {@code spec}, after its annotated options. */
    static CommandSpec addTo(CommandSpec spec, List<TrainOption<?>> options) {
        for (TrainOption<?> option : options) {
            spec.addOption(optionSpec(option));
        }
        return spec;
    }

    private static OptionSpec optionSpec(TrainOption<?> o) {
        boolean empty = o.defaultText().isEmpty();
        // picocli formats a description with String.format: a '%' of the text ("97%") is written as '%%'.
        OptionSpec.Builder b = OptionSpec.builder(o.flag())
                .paramLabel(o.label())
                .type(cliType(o.type()))
                .description(o.plainDoc().replace("%", "%%")
                        + (empty ? " Default: '${DEFAULT-VALUE}'" : " Default: ${DEFAULT-VALUE}"));
        if (o.type() == Boolean.class) {
            b.arity("0..1");
        }
        if (o.fallback() != null) {
            b.arity("0..1").fallbackValue(o.fallback());
        }
        return b.build();
    }

    /** Numbers are converted by NumberConverters (strict decimals), booleans by picocli, text by the declaration. */
    private static Class<?> cliType(Class<?> type) {
        if (type == Integer.class) {
            return int.class;
        }
        if (type == Long.class) {
            return long.class;
        }
        if (type == Double.class) {
            return double.class;
        }
        if (type == Boolean.class) {
            return boolean.class;
        }
        return String.class;
    }

    /**
     * The parsed value of {@code option} in {@code spec}, canonical and checked against its declaration.
     *
     * @throws dev.sparknn.train.TrainConfig.ConfigException naming the option if it does not parse or is invalid
     */
    static <T> T value(CommandSpec spec, TrainOption<T> option) {
        Object raw = spec.findOption(option.flag()).getValue();
        return cliType(option.type()) == String.class ? option.parse((String) raw) : option.check(option.cast(raw));
    }

    /** The raw text of {@code option} in {@code spec}, as given or defaulted, for the effective-options file. */
    static String text(CommandSpec spec, TrainOption<?> option) {
        return String.valueOf((Object) spec.findOption(option.flag()).getValue());
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
                    TrainOptions.FEATURES, TrainOptions.MASTER));
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
