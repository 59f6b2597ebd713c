package dev.sparknn.ml;

import dev.sparknn.train.TrainConfig;
import dev.sparknn.train.TrainOption;
import dev.sparknn.train.TrainOptions;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The training options of {@link NeuralNetClassifier} and {@link NeuralNetRegressor} as spark.ml {@code Param}s, one
 * set per stage (a {@code Param} belongs to one stage's uid). Each command-line option a DataFrame fit uses is
 * declared once, in {@link TrainOptions}; here it only gets its Param name ({@link #OPTIONS}: Spark's where the
 * meaning is Spark's, such as {@code stepSize} for {@code --lr}, otherwise the option's name in camelCase). Its type,
 * default, doc and check come from the declaration, so a Param refuses what the command line refuses, with the
 * command line's message in Param names ({@link #inParamNames}). Three Params belong to the library alone:
 * {@code numPartitions}, {@code weightCol} and {@code validationIndicatorCol}.
 *
 * <p>Serializable, as the stage that holds it: Spark stages are Java-serializable (a model captured in a closure).
 */
public final class NeuralNetParamSet implements Serializable {

    /** A Param and the command-line option it is. */
    record Option(String param, TrainOption<?> option) {
    }

    static final List<Option> OPTIONS = List.of(
            new Option("layers", TrainOptions.LAYERS),
            new Option("activation", TrainOptions.ACTIVATION),
            new Option("init", TrainOptions.INIT),
            new Option("epochs", TrainOptions.EPOCHS),
            new Option("batchSize", TrainOptions.BATCH_SIZE),
            new Option("optimizer", TrainOptions.OPTIMIZER),
            new Option("stepSize", TrainOptions.LR),
            new Option("momentum", TrainOptions.MOMENTUM),
            new Option("beta1", TrainOptions.BETA1),
            new Option("beta2", TrainOptions.BETA2),
            new Option("eps", TrainOptions.EPS),
            new Option("weightDecay", TrainOptions.WEIGHT_DECAY),
            new Option("clipNorm", TrainOptions.CLIP_NORM),
            new Option("schedule", TrainOptions.SCHEDULE),
            new Option("warmupSteps", TrainOptions.WARMUP_STEPS),
            new Option("decayEvery", TrainOptions.DECAY_EVERY),
            new Option("decayFactor", TrainOptions.DECAY_FACTOR),
            new Option("localSteps", TrainOptions.LOCAL_STEPS),
            new Option("outerLr", TrainOptions.OUTER_LR),
            new Option("outerMomentum", TrainOptions.OUTER_MOMENTUM),
            new Option("outerNesterov", TrainOptions.OUTER_NESTEROV),
            new Option("seed", TrainOptions.SEED),
            new Option("standardize", TrainOptions.STANDARDIZE),
            new Option("onDivergence", TrainOptions.ON_DIVERGENCE));

    private final Map<String, Param<?>> byName = new LinkedHashMap<>();

    /** The options as Params of {@code owner}, with their declared defaults set on it, and the library's own three. */
    NeuralNetParamSet(Params owner) {
        for (Option o : OPTIONS) {
            byName.put(o.param(), declared(owner, o));
        }
        IntParam numPartitions = new IntParam(owner, "numPartitions", "Partitions to train on; 0 takes as "
                + "many as the DataFrame has. Rows are placed by their content, so with the same value, rows, options "
                + "and seed, the weights are bitwise the same whatever the DataFrame's partitioning, and on any "
                + "master. (The command line's --partitions, whose default fits its own session.)");
        owner.setDefault(numPartitions, 0);
        byName.put(numPartitions.name(), numPartitions);
        byName.put("weightCol", new Param<String>(owner, "weightCol", "Column of row weights (numeric, finite, "
                + ">= 0): each row's loss counts its weight, and a step's gradient is the weighted mean. Unset or "
                + "empty: every row weighs 1."));
        byName.put("validationIndicatorCol", new Param<String>(owner, "validationIndicatorCol", "Boolean column: "
                + "rows where it is true are held out of training and scored after every epoch (the summary's "
                + "validation history). Unset: none."));
    }

    /** The Param named {@code name}, as the type its accessor in {@link NeuralNetParams} returns. */
    @SuppressWarnings("unchecked")
    <P extends Param<?>> P param(String name) {
        return (P) byName.get(name);
    }

    /** A Param of the declared option's type, doc and default. */
    private static Param<?> declared(Params owner, Option o) {
        TrainOption<?> option = o.option();
        String doc = option.plainDoc() + " (the command line's " + option.flag() + ")";
        Class<?> type = option.type();
        Param<?> p;
        if (type == Integer.class) {
            p = new IntParam(owner, o.param(), doc);
        } else if (type == Long.class) {
            p = new LongParam(owner, o.param(), doc);
        } else if (type == Double.class) {
            p = new DoubleParam(owner, o.param(), doc);
        } else if (type == Boolean.class) {
            p = new BooleanParam(owner, o.param(), doc);
        } else if (type == int[].class) {
            p = new IntArrayParam(owner, o.param(), doc);
        } else if (type == String.class) {
            p = new Param<String>(owner, o.param(), doc);
        } else {
            throw new IllegalStateException(option.flag() + " has a type no Param holds: " + type);
        }
        setDefault(owner, p, option.defaultValue());
        return p;
    }

    @SuppressWarnings("unchecked")
    private static <T> void setDefault(Params owner, Param<T> p, Object value) {
        owner.setDefault(p, (T) value);
    }

    /**
     * {@code value} for the Param {@code param}, checked by its declaration (a name such as {@code "Adam"} in its
     * canonical form, {@code "adam"}); {@code numPartitions} by {@link #checkedPartitions}, the column names as they
     * are.
     *
     * @throws IllegalArgumentException with the command line's message in Param names
     */
    static <T> T checked(String param, T value) {
        for (Option o : OPTIONS) {
            if (o.param().equals(param)) {
                return check(o.option(), value);
            }
        }
        if (param.equals("numPartitions")) {
            checkedPartitions((Integer) value);
        }
        return value;
    }

    /**
     * {@code numPartitions}, if valid.
     *
     * @throws IllegalArgumentException naming the Param otherwise
     */
    static int checkedPartitions(int n) {
        if (n < 0 || n > 100_000) {
            throw new IllegalArgumentException("numPartitions must be in [0, 100000] (0 takes the DataFrame's count), got "
                    + n);
        }
        return n;
    }

    @SuppressWarnings("unchecked")
    private static <T, V> V check(TrainOption<T> option, V value) {
        try {
            return value instanceof String text ? (V) option.parse(text) : (V) option.check(option.cast(value));
        } catch (TrainConfig.ConfigException | ClassCastException e) {
            throw new IllegalArgumentException(inParamNames(e.getMessage()), e);
        }
    }

    /**
     * {@code message} of a command-line check with each option named as its Param: {@code --lr must be ...} becomes
     * {@code stepSize must be ...}.
     */
    static String inParamNames(String message) {
        String m = message;
        for (Option o : OPTIONS) {
            m = m.replaceAll(Pattern.quote(o.option().flag()) + "(?![\\w-])", Matcher.quoteReplacement(o.param()));
        }
        return m;
    }
}
