package dev.sparknn.ml;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.util.List;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The training options of {@link NeuralNetClassifier} and {@link NeuralNetRegressor} as spark.ml {@code Param}s, one
 * set per stage (a {@code Param} belongs to one stage's uid). Each is declared once, in {@link #OPTIONS}: its Param
 * name (Spark's where the meaning is Spark's, else the command line's in camelCase), the command-line option it
 * mirrors, and its doc. Defaults come from the command line's own defaults, {@code conf/train.conf} (packaged into
 * the jar), and values are validated by the same checks, with the same messages, as the command line's
 * ({@link Training#settings}).
 */
public final class NeuralNetParamSet {

    /**
     * One option: {@code param} is its Param name, {@code cliKey} the command line's (without dashes, the key in
     * train.conf; empty when the command line has none).
     */
    record Option(String param, String cliKey, String doc) {
    }

    static final List<Option> OPTIONS = List.of(
            new Option("layers", "layers", "layer widths, input first and classes (classifier) or 1 (regressor) "
                    + "last, e.g. [784, 100, 10]; the first must equal the features' length"),
            new Option("activation", "activation", "hidden activation: relu | sigmoid | tanh | identity"),
            new Option("init", "init", "weight initialisation: auto (He for relu, Xavier otherwise) | he | xavier | a "
                    + "fixed standard deviation such as 0.01"),
            new Option("epochs", "epochs", "passes over the training rows (>= 1)"),
            new Option("batchSize", "batch-size", "global batch: rows per optimizer step, summed over the "
                    + "partitions (>= 1; clipped to the training rows)"),
            new Option("optimizer", "optimizer", "sgd (with momentum) | nesterov | adam | adamw"),
            new Option("stepSize", "lr", "base learning rate (the command line's --lr), > 0"),
            new Option("momentum", "momentum", "sgd and nesterov momentum in [0, 1); 0 is plain SGD"),
            new Option("beta1", "beta1", "adam, adamw: first-moment decay in [0, 1)"),
            new Option("beta2", "beta2", "adam, adamw: second-moment decay in [0, 1)"),
            new Option("eps", "eps", "adam, adamw: denominator epsilon, > 0"),
            new Option("weightDecay", "weight-decay", "L2 penalty, >= 0; decoupled for adamw"),
            new Option("clipNorm", "clip-norm", "max L2 norm of the mean gradient; 0 = off"),
            new Option("schedule", "schedule", "learning-rate schedule: constant | step | cosine"),
            new Option("warmupSteps", "warmup-steps", "linear warm-up updates, >= 0"),
            new Option("decayEvery", "decay-every", "step schedule: epochs between decays, >= 1"),
            new Option("decayFactor", "decay-factor", "step schedule: multiplier per decay, in (0, 1]"),
            new Option("localSteps", "local-steps", "optimizer steps each partition runs per Spark job (round) "
                    + "before the weights are averaged; 1 = synchronous SGD"),
            new Option("outerLr", "outer-lr", "outer step at the end of a round, > 0; 1 with outerMomentum 0 = "
                    + "plain averaging"),
            new Option("outerMomentum", "outer-momentum", "outer momentum (SlowMo/DiLoCo) in [0, 1); 0 = none"),
            new Option("outerNesterov", "outer-nesterov", "Nesterov form of the outer momentum"),
            new Option("seed", "seed", "weight initialisation and data order"),
            new Option("standardize", "standardize", "standardise each feature (and a regression label) by the "
                    + "training rows' mean and standard deviation, folded into the model so that it takes raw "
                    + "features and predicts in the label's units (the command line's auto, for tables)"),
            new Option("numPartitions", "partitions", "partitions to train on; 0 keeps the DataFrame's. With the "
                    + "same value, data and seed, the weights are bitwise the same on any master"),
            new Option("onDivergence", "on-divergence", "when a step's loss or gradient is not finite: stop | skip"),
            new Option("weightCol", "", "column of row weights (numeric, finite, >= 0): each row's loss counts its "
                    + "weight; unset or empty = every row weighs 1"),
            new Option("validationIndicatorCol", "", "boolean column: true rows are held out and evaluated after "
                    + "every epoch (the summary's validation history) instead of trained on; unset = none"));

    private static final Config DEFAULTS = ConfigFactory.parseResources("dev/sparknn/conf/train.conf",
            ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));

    final IntArrayParam layers;
    final Param<String> activation;
    final Param<String> init;
    final IntParam epochs;
    final IntParam batchSize;
    final Param<String> optimizer;
    final DoubleParam stepSize;
    final DoubleParam momentum;
    final DoubleParam beta1;
    final DoubleParam beta2;
    final DoubleParam eps;
    final DoubleParam weightDecay;
    final DoubleParam clipNorm;
    final Param<String> schedule;
    final IntParam warmupSteps;
    final IntParam decayEvery;
    final DoubleParam decayFactor;
    final IntParam localSteps;
    final DoubleParam outerLr;
    final DoubleParam outerMomentum;
    final BooleanParam outerNesterov;
    final LongParam seed;
    final BooleanParam standardize;
    final IntParam numPartitions;
    final Param<String> onDivergence;
    final Param<String> weightCol;
    final Param<String> validationIndicatorCol;

    /** The options as Params of {@code owner}, with their defaults set on it. */
    NeuralNetParamSet(Params owner) {
        layers = new IntArrayParam(owner, "layers", doc("layers"));
        activation = string(owner, "activation");
        init = string(owner, "init");
        epochs = integer(owner, "epochs");
        batchSize = integer(owner, "batchSize");
        optimizer = string(owner, "optimizer");
        stepSize = real(owner, "stepSize");
        momentum = real(owner, "momentum");
        beta1 = real(owner, "beta1");
        beta2 = real(owner, "beta2");
        eps = real(owner, "eps");
        weightDecay = real(owner, "weightDecay");
        clipNorm = real(owner, "clipNorm");
        schedule = string(owner, "schedule");
        warmupSteps = integer(owner, "warmupSteps");
        decayEvery = integer(owner, "decayEvery");
        decayFactor = real(owner, "decayFactor");
        localSteps = integer(owner, "localSteps");
        outerLr = real(owner, "outerLr");
        outerMomentum = real(owner, "outerMomentum");
        outerNesterov = new BooleanParam(owner, "outerNesterov", doc("outerNesterov"));
        owner.setDefault(outerNesterov, DEFAULTS.getBoolean("outer-nesterov"));
        seed = new LongParam(owner, "seed", doc("seed"));
        owner.setDefault(seed, DEFAULTS.getLong("seed"));
        standardize = new BooleanParam(owner, "standardize", doc("standardize"));
        // The command line's auto standardises tables, and a DataFrame is a table.
        String s = DEFAULTS.getString("standardize");
        owner.setDefault(standardize, s.equals("auto") || Boolean.parseBoolean(s));
        numPartitions = new IntParam(owner, "numPartitions", doc("numPartitions"));
        // The command line's default is the cores of its own session; an application's DataFrame already has its
        // partitioning.
        owner.setDefault(numPartitions, 0);
        onDivergence = string(owner, "onDivergence");
        weightCol = new Param<>(owner, "weightCol", doc("weightCol"));
        validationIndicatorCol = new Param<>(owner, "validationIndicatorCol", doc("validationIndicatorCol"));
    }

    static Option option(String param) {
        return OPTIONS.stream().filter(o -> o.param().equals(param)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no option " + param));
    }

    private static String doc(String param) {
        return option(param).doc();
    }

    private static Param<String> string(Params owner, String name) {
        Param<String> p = new Param<>(owner, name, doc(name));
        owner.setDefault(p, DEFAULTS.getString(option(name).cliKey()));
        return p;
    }

    private static IntParam integer(Params owner, String name) {
        IntParam p = new IntParam(owner, name, doc(name));
        owner.setDefault(p, DEFAULTS.getInt(option(name).cliKey()));
        return p;
    }

    private static DoubleParam real(Params owner, String name) {
        DoubleParam p = new DoubleParam(owner, name, doc(name));
        owner.setDefault(p, DEFAULTS.getDouble(option(name).cliKey()));
        return p;
    }

    /**
     * {@code message} of a command-line check with each option named as its Param: {@code --lr must be ...} becomes
     * {@code stepSize must be ...}.
     */
    static String inParamNames(String message) {
        String m = message;
        for (Option o : OPTIONS) {
            if (!o.cliKey().isEmpty()) {
                m = m.replaceAll("--" + java.util.regex.Pattern.quote(o.cliKey()) + "(?![\\w-])",
                        java.util.regex.Matcher.quoteReplacement(o.param()));
            }
        }
        return m;
    }
}
