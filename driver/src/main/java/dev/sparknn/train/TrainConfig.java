package dev.sparknn.train;

import dev.sparknn.ops.Activation;
import dev.sparknn.ops.Loss;
import dev.sparknn.ops.MeanSquaredError;
import dev.sparknn.ops.SoftmaxCrossEntropy;
import dev.sparknn.ops.WeightInit;
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
    private final int[] layers;
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
     * {@code --optimizer} and its hyper-parameters.
     *
     * @param momentum    SGD and Nesterov: μ in {@code [0, 1)}; 0 is plain SGD (Nesterov needs μ > 0)
     * @param weightDecay L2 penalty (decoupled for AdamW), ≥ 0
     * @param clipNorm    rescale the mean gradient to this L2 norm when larger; 0 for no clipping
     */
    public record OptimizerConfig(Optimizer.Kind kind, double lr, double momentum, double beta1, double beta2,
                                  double eps, double weightDecay, double clipNorm) implements java.io.Serializable {
        public OptimizerConfig {
            TrainOptions.LR.check(lr);
            TrainOptions.MOMENTUM.check(momentum);
            require(kind != Optimizer.Kind.NESTEROV || momentum > 0, "--optimizer nesterov needs --momentum > 0");
            TrainOptions.BETA1.check(beta1);
            TrainOptions.BETA2.check(beta2);
            TrainOptions.EPS.check(eps);
            TrainOptions.WEIGHT_DECAY.check(weightDecay);
            TrainOptions.CLIP_NORM.check(clipNorm);
        }
    }

    /**
     * How steps are grouped into rounds, one Spark job each, and the outer update that ends a round (see
     * {@link Trainer}).
     *
     * @param localSteps    {@code --local-steps H}: optimizer steps per round in each partition; 1 is synchronous SGD
     * @param outerLr       {@code --outer-lr α} of the outer step, {@code > 0}; 1 with no momentum is plain averaging
     * @param outerMomentum {@code --outer-momentum μ} in {@code [0, 1)}
     * @param outerNesterov {@code --outer-nesterov}: Nesterov's form of the outer momentum (needs {@code μ > 0})
     */
    public record RoundConfig(int localSteps, double outerLr, double outerMomentum, boolean outerNesterov) {
        /** Synchronous SGD: one step per round, applied on the driver. */
        public static final RoundConfig SYNCHRONOUS = new RoundConfig(1, 1, 0, false);

        public RoundConfig {
            TrainOptions.LOCAL_STEPS.check(localSteps);
            TrainOptions.OUTER_LR.check(outerLr);
            TrainOptions.OUTER_MOMENTUM.check(outerMomentum);
            require(!outerNesterov || outerMomentum > 0, "--outer-nesterov needs --outer-momentum > 0");
        }
    }

    /**
     * {@code --schedule} and its parameters (see {@link Schedule}).
     *
     * @param decayEvery  {@code step}: epochs between decays, ≥ 1
     * @param decayFactor {@code step}: multiplier per decay, in {@code (0, 1]}
     */
    public record ScheduleConfig(Schedule.Kind kind, int warmupSteps, int decayEvery, double decayFactor) {
        public ScheduleConfig {
            TrainOptions.WARMUP_STEPS.check(warmupSteps);
            TrainOptions.DECAY_EVERY.check(decayEvery);
            TrainOptions.DECAY_FACTOR.check(decayFactor);
        }

        public Schedule build(double lr, int stepsPerEpoch, int epochs) {
            return new Schedule(kind, lr, warmupSteps, decayEvery, decayFactor, stepsPerEpoch,
                    (long) stepsPerEpoch * epochs);
        }
    }

    private TrainConfig(Map<TrainOption<?>, Object> given) {
        for (TrainOption<?> option : TrainOptions.ALL) {
            check(option, given.get(option));
        }
        values = Collections.unmodifiableMap(new LinkedHashMap<>(given));
        data = new DataConfig(get(TrainOptions.DATA), DataConfig.Format.parse(get(TrainOptions.FORMAT)),
                get(TrainOptions.LABEL), TrainOptions.columns(get(TrainOptions.FEATURES)), get(TrainOptions.TEST_DATA),
                get(TrainOptions.TEST_FRACTION), DataConfig.Standardize.parse(get(TrainOptions.STANDARDIZE)));
        task = Task.parse(get(TrainOptions.TASK));
        layers = get(TrainOptions.LAYERS);
        activation = Activation.parse(get(TrainOptions.ACTIVATION));
        String head = get(TrainOptions.LOSS);
        loss = !head.equals("auto") ? Loss.parse(head)
                : task == Task.REGRESSION ? new MeanSquaredError() : new SoftmaxCrossEntropy();
        init = WeightInit.parse(get(TrainOptions.INIT));
        optimizer = new OptimizerConfig(Optimizer.Kind.parse(get(TrainOptions.OPTIMIZER)), get(TrainOptions.LR),
                get(TrainOptions.MOMENTUM), get(TrainOptions.BETA1), get(TrainOptions.BETA2), get(TrainOptions.EPS),
                get(TrainOptions.WEIGHT_DECAY), get(TrainOptions.CLIP_NORM));
        schedule = new ScheduleConfig(Schedule.Kind.parse(get(TrainOptions.SCHEDULE)), get(TrainOptions.WARMUP_STEPS),
                get(TrainOptions.DECAY_EVERY), get(TrainOptions.DECAY_FACTOR));
        rounds = new RoundConfig(get(TrainOptions.LOCAL_STEPS), get(TrainOptions.OUTER_LR),
                get(TrainOptions.OUTER_MOMENTUM), get(TrainOptions.OUTER_NESTEROV));
        onDivergence = OnDivergence.valueOf(get(TrainOptions.ON_DIVERGENCE).toUpperCase(Locale.ROOT));
        // Rules that involve more than one option; each option's own range was checked above.
        if (task == Task.CLASSIFICATION && layers[layers.length - 1] < 2) {
            throw new ConfigException("--layers must end with the number of classes (at least 2), got "
                    + layers[layers.length - 1] + " (for real-valued labels use --task regression)");
        }
        require(task == Task.CLASSIFICATION || loss.fitsValues(), "--task regression needs --loss mse (or auto), got "
                + loss.id());
        require((long) chunks() * partitions() <= 1_000_000, "--chunks must be at least 1, with at most "
                + "1000000 partitions in all, got " + chunks());
        require(targetAccuracy() == 0 || task == Task.CLASSIFICATION, "--target-accuracy needs --task classification");
    }

    private static <T> void check(TrainOption<T> option, Object value) {
        option.check(option.cast(value));
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
     * Values by option, starting from the declared defaults. {@link #set} and {@link #parse} take one option's value;
     * {@link #build} validates them all.
     */
    public static final class Builder {
        private final Map<TrainOption<?>, Object> values = new LinkedHashMap<>();

        private Builder() {
            for (TrainOption<?> option : TrainOptions.ALL) {
                values.put(option, option.defaultValue());
            }
        }

        /** Sets {@code option}; text options are stored in their canonical form (see {@link TrainOption#parse}). */
        public <T> Builder set(TrainOption<T> option, T value) {
            values.put(option, value instanceof String text ? option.parse(text) : value);
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

        /** @throws ConfigException naming the first option that is out of range, or two that conflict */
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

    /** Each partition's rows are split into this many chunks, read one at a time (see {@link Trainer}). */
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

    /** Layer widths, input first, classes (or 1 regression output) last, e.g. {@code [784, 100, 10]}. */
    public int[] layers() {
        return layers.clone();
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
