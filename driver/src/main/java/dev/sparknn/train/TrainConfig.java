package dev.sparknn.train;

import dev.sparknn.ops.Activation;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.Loss;
import dev.sparknn.ops.MeanSquaredError;
import dev.sparknn.ops.SoftmaxCrossEntropy;
import dev.sparknn.ops.Standardization;
import dev.sparknn.ops.WeightInit;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A validated training configuration: one value for every option of {@link TrainOptions} (whose declarations
 * document each one), plus the typed objects built from them. Made by {@link #builder()}, which starts from the
 * declared defaults and takes values by option, so no two settings can be swapped by position. Invalid values fail
 * in {@link Builder#build()}, before Spark starts, with a message naming the option.
 */
public final class TrainConfig {

    private final Map<TrainOption<?>, Object> values;
    private final DataConfig data;
    private final Task task;
    private final String layers;
    private final Activation activation;
    private final Loss loss;
    private final WeightInit init;
    private final OptimizerConfig optimizer;
    private final ScheduleConfig schedule;
    private final RoundConfig rounds;
    private final OnDivergence onDivergence;

    /** What to do when a step's loss or gradient is NaN or infinite. */
    public enum OnDivergence {
        /** Stop with exit code 4, keeping the last good checkpoint. */
        STOP,
        /** Drop the step's update, count it in {@code skipped_steps}, and go on. */
        SKIP
    }

    /**
     * {@code --optimizer} and its hyper-parameters, as resolved by a {@link TrainConfig} ({@link #optimizer()}): the
     * only way to make one, so no two of its numbers can be swapped by position. Each value was checked by its
     * declaration in {@link TrainOptions}. Serializable: the partitions of a round of local steps build their
     * optimizer from it.
     */
    public static final class OptimizerConfig implements Serializable {
        private static final long serialVersionUID = 1L;

        private final Optimizer.Kind kind;
        private final double lr;
        private final double momentum;
        private final double beta1;
        private final double beta2;
        private final double eps;
        private final double weightDecay;
        private final double clipNorm;

        private OptimizerConfig(TrainConfig c) {
            kind = Optimizer.Kind.parse(c.get(TrainOptions.OPTIMIZER));
            lr = c.get(TrainOptions.LR);
            momentum = c.get(TrainOptions.MOMENTUM);
            beta1 = c.get(TrainOptions.BETA1);
            beta2 = c.get(TrainOptions.BETA2);
            eps = c.get(TrainOptions.EPS);
            weightDecay = c.get(TrainOptions.WEIGHT_DECAY);
            clipNorm = c.get(TrainOptions.CLIP_NORM);
            require(kind != Optimizer.Kind.NESTEROV || momentum > 0, "--optimizer nesterov needs --momentum > 0");
        }

        public Optimizer.Kind kind() {
            return kind;
        }

        /** The base learning rate, before the schedule. */
        public double lr() {
            return lr;
        }

        /** SGD and Nesterov: μ in {@code [0, 1)}; 0 is plain SGD (Nesterov needs μ > 0). */
        public double momentum() {
            return momentum;
        }

        public double beta1() {
            return beta1;
        }

        public double beta2() {
            return beta2;
        }

        public double eps() {
            return eps;
        }

        /** L2 penalty (decoupled for AdamW), ≥ 0. */
        public double weightDecay() {
            return weightDecay;
        }

        /** Rescale the mean gradient to this L2 norm when larger; 0 for no clipping. */
        public double clipNorm() {
            return clipNorm;
        }
    }

    /**
     * How steps are grouped into rounds, one Spark job each, and the outer update that ends a round (see the package
     * {@code dev.sparknn.train.round}), as resolved by a {@link TrainConfig} ({@link #rounds()}), the only way to make
     * one.
     */
    public static final class RoundConfig {
        private final int localSteps;
        private final double outerLr;
        private final double outerMomentum;
        private final boolean outerNesterov;

        private RoundConfig(TrainConfig c) {
            localSteps = c.get(TrainOptions.LOCAL_STEPS);
            outerLr = c.get(TrainOptions.OUTER_LR);
            outerMomentum = c.get(TrainOptions.OUTER_MOMENTUM);
            outerNesterov = c.get(TrainOptions.OUTER_NESTEROV);
            require(!outerNesterov || outerMomentum > 0, "--outer-nesterov needs --outer-momentum > 0");
        }

        /** {@code --local-steps H}: optimizer steps per round in each partition; 1 is synchronous SGD. */
        public int localSteps() {
            return localSteps;
        }

        /** {@code --outer-lr α} of the outer step, {@code > 0}; 1 with no momentum is plain averaging. */
        public double outerLr() {
            return outerLr;
        }

        /** {@code --outer-momentum μ} in {@code [0, 1)}. */
        public double outerMomentum() {
            return outerMomentum;
        }

        /** {@code --outer-nesterov}: Nesterov's form of the outer momentum (needs {@code μ > 0}). */
        public boolean outerNesterov() {
            return outerNesterov;
        }
    }

    /**
     * {@code --schedule} and its parameters (see {@link Schedule}), as resolved by a {@link TrainConfig}
     * ({@link #schedule()}), the only way to make one.
     */
    public static final class ScheduleConfig {
        private final Schedule.Kind kind;
        private final int warmupSteps;
        private final int decayEvery;
        private final double decayFactor;

        private ScheduleConfig(TrainConfig c) {
            kind = Schedule.Kind.parse(c.get(TrainOptions.SCHEDULE));
            warmupSteps = c.get(TrainOptions.WARMUP_STEPS);
            decayEvery = c.get(TrainOptions.DECAY_EVERY);
            decayFactor = c.get(TrainOptions.DECAY_FACTOR);
        }

        public Schedule.Kind kind() {
            return kind;
        }

        /** Updates of linear warm-up, ≥ 0; 0 for none. */
        public int warmupSteps() {
            return warmupSteps;
        }

        /** {@code step}: epochs between decays, ≥ 1. */
        public int decayEvery() {
            return decayEvery;
        }

        /** {@code step}: multiplier per decay, in {@code (0, 1]}. */
        public double decayFactor() {
            return decayFactor;
        }

        /** The schedule of {@code epochs} epochs of {@code stepsPerEpoch} updates, from the base rate {@code lr}. */
        public Schedule build(double lr, int stepsPerEpoch, int epochs) {
            return new Schedule(kind, lr, warmupSteps, decayEvery, decayFactor, stepsPerEpoch,
                    (long) stepsPerEpoch * epochs);
        }
    }

    /** {@code given}: a valid value of every option (the builder's defaults are valid, and it checks each value). */
    private TrainConfig(Map<TrainOption<?>, Object> given) {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(given));
        data = new DataConfig(get(TrainOptions.DATA), DataConfig.Format.parse(get(TrainOptions.FORMAT)),
                get(TrainOptions.LABEL), TrainOptions.columns(get(TrainOptions.FEATURES)), get(TrainOptions.TEST_DATA),
                get(TrainOptions.TEST_FRACTION), DataConfig.Standardize.parse(get(TrainOptions.STANDARDIZE)),
                dev.sparknn.data.TableDataset.Missing.parse(get(TrainOptions.MISSING)));
        task = Task.parse(get(TrainOptions.TASK));
        layers = get(TrainOptions.LAYERS);
        activation = Activation.parse(get(TrainOptions.ACTIVATION));
        String head = get(TrainOptions.LOSS);
        loss = !head.equals("auto") ? Loss.parse(head)
                : task == Task.REGRESSION ? new MeanSquaredError() : new SoftmaxCrossEntropy();
        init = WeightInit.parse(get(TrainOptions.INIT));
        // After values is set: each reads its options from this configuration by name.
        optimizer = new OptimizerConfig(this);
        schedule = new ScheduleConfig(this);
        rounds = new RoundConfig(this);
        onDivergence = OnDivergence.valueOf(get(TrainOptions.ON_DIVERGENCE).toUpperCase(Locale.ROOT));
        // Rules that involve more than one option; each option's own range was checked above.
        int outputs = network().numOutputs();
        if (task == Task.CLASSIFICATION && outputs < 2) {
            throw new ConfigException("--layers must end with the number of classes (at least 2), got "
                    + outputs + " (for real-valued labels use --task regression)");
        }
        require(task == Task.CLASSIFICATION || loss.fitsValues(), "--task regression needs --loss mse (or auto), got "
                + loss.id());
        require((long) chunks() * partitions() <= 1_000_000, "--chunks must be at least 1, with at most "
                + "1000000 partitions in all, got " + chunks());
        require(targetAccuracy() == 0 || task == Task.CLASSIFICATION, "--target-accuracy needs --task classification");
        Network net = network();
        require(data.standardize() != DataConfig.Standardize.TRUE || Standardization.foldsInto(net), "--standardize "
                + "true needs a network that starts with an affine layer, which the saved model folds the transform "
                + "into; --layers starts with " + net.layers().get(0) + " (use --standardize auto or false)");
    }

    /** A builder holding every option at its declared default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.values.putAll(values);
        return b;
    }

    /**
     * Values by option, starting from the declared defaults. {@link #set} and {@link #parse} take one option's value
     * and check it by its declaration; {@link #build} checks the rules between options.
     */
    public static final class Builder {
        private final Map<TrainOption<?>, Object> values = new LinkedHashMap<>();

        private Builder() {
            for (TrainOption<?> option : TrainOptions.ALL) {
                values.put(option, option.defaultValue());
            }
        }

        /**
         * Sets {@code option}; text options are stored in their canonical form (see {@link TrainOption#parse}).
         *
         * @throws ConfigException naming the option if the value is out of range
         */
        public <T> Builder set(TrainOption<T> option, T value) {
            values.put(option, value instanceof String text ? option.parse(text) : option.check(value));
            return this;
        }

        /**
         * Sets {@code option} from text, as on the command line.
         *
         * @throws ConfigException naming the option if the text does not parse or the value is out of range
         */
        public Builder parse(TrainOption<?> option, String text) {
            values.put(option, option.parse(text));
            return this;
        }

        /** @throws ConfigException naming two options that conflict */
        public TrainConfig build() {
            return new TrainConfig(values);
        }
    }

    /** The value of {@code option}, in its canonical form. */
    public <T> T get(TrainOption<T> option) {
        T value = option.cast(values.get(option));
        return value instanceof int[] a ? option.cast(a.clone()) : value;
    }

    /**
     * The options that shape the trained weights ({@link TrainOption#shapesWeights()}), as written in a checkpoint;
     * resuming requires them all to match. Where and how the run executes (master, output and checkpoint folders)
     * may differ, and so may the divergence policy: a run that stopped on a NaN can be resumed with
     * {@code --on-divergence skip}. {@code loss} is the resolved head ({@code auto} is recorded as what it chose).
     */
    public Map<String, String> identity() {
        Map<String, String> m = new LinkedHashMap<>();
        for (TrainOption<?> option : TrainOptions.ALL) {
            if (option.shapesWeights()) {
                Object value = values.get(option);
                m.put(option.name(), value instanceof int[] a
                        ? Arrays.stream(a).mapToObj(Integer::toString).collect(Collectors.joining(","))
                        : String.valueOf(value));
            }
        }
        m.put(TrainOptions.LOSS.name(), loss.id());
        return m;
    }

    public DataConfig data() {
        return data;
    }

    public Task task() {
        return task;
    }

    public Activation activation() {
        return activation;
    }

    public Loss loss() {
        return loss;
    }

    public WeightInit init() {
        return init;
    }

    public int epochs() {
        return get(TrainOptions.EPOCHS);
    }

    /** Global batch: samples per optimizer step, summed over all partitions. */
    public int batchSize() {
        return get(TrainOptions.BATCH_SIZE);
    }

    public OptimizerConfig optimizer() {
        return optimizer;
    }

    public ScheduleConfig schedule() {
        return schedule;
    }

    public RoundConfig rounds() {
        return rounds;
    }

    public int partitions() {
        return get(TrainOptions.PARTITIONS);
    }

    /** Each partition's rows are split into this many chunks, read one at a time (see {@code round.RoundPlan}). */
    public int chunks() {
        return get(TrainOptions.CHUNKS);
    }

    public String master() {
        return get(TrainOptions.MASTER);
    }

    public long seed() {
        return get(TrainOptions.SEED);
    }

    public String out() {
        return get(TrainOptions.OUT);
    }

    public boolean overwrite() {
        return get(TrainOptions.OVERWRITE);
    }

    public String checkpointDir() {
        return get(TrainOptions.CHECKPOINT_DIR);
    }

    public int checkpointEvery() {
        return get(TrainOptions.CHECKPOINT_EVERY);
    }

    public int keepCheckpoints() {
        return get(TrainOptions.KEEP_CHECKPOINTS);
    }

    /** The checkpoint folder to continue from, or empty to start afresh. */
    public String resume() {
        return get(TrainOptions.RESUME);
    }

    public OnDivergence onDivergence() {
        return onDivergence;
    }

    public int evalEvery() {
        return get(TrainOptions.EVAL_EVERY);
    }

    public double targetAccuracy() {
        return get(TrainOptions.TARGET_ACCURACY);
    }

    /** The network's spelling ({@link dev.sparknn.ops.LayerSpelling}), e.g. {@code 784,100,10}. */
    public String layers() {
        return layers;
    }

    /** The network these options spell: {@code --layers}, {@code --activation} and the loss head. */
    public Network network() {
        return new Network(layers, activation, loss);
    }

    /** Values per input row: what {@code --layers} starts with. */
    public int inputs() {
        return network().numInputs();
    }

    public static void require(boolean ok, String message) {
        if (!ok) {
            throw new ConfigException(message);
        }
    }

    /** A configuration value that is out of range or inconsistent; the message names the option. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }
    }
}
