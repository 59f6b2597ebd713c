package dev.sparknn.train;

import dev.sparknn.ops.Activation;
import dev.sparknn.ops.Loss;
import dev.sparknn.ops.WeightInit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A validated training configuration. Every field comes from a command-line option of the same name
 * (the command line documents each one; conf/train.conf holds the defaults). Invalid values fail here,
 * before Spark starts, with a message naming the option.
 *
 * @param data       where the training and test rows are and how to read them
 * @param task       classification (class labels) or regression (real-valued targets)
 * @param layers     layer widths, input first, classes (or 1 regression output) last, e.g. {@code [784, 100, 10]}
 * @param batchSize  global batch: samples per optimizer step, summed over all partitions
 * @param optimizer  the update rule and its hyper-parameters
 * @param schedule   how the learning rate changes over the run
 * @param rounds     optimizer steps per Spark job and the outer update
 * @param partitions number of partitions the training and test data are spread over
 * @param chunks     split each partition's rows into this many chunks, read one at a time (see {@link Trainer})
 * @param checkpointDir   folder (local path or Hadoop URI) for checkpoints
 * @param checkpointEvery also checkpoint every this many steps; 0 for epoch ends only
 * @param resume          checkpoint folder to continue from, or empty to start afresh
 * @param evalEvery       also evaluate the test set every this many steps; 0 for epoch ends only
 * @param targetAccuracy  stop once a test evaluation reaches this accuracy; 0 to run every epoch
 */
public record TrainConfig(DataConfig data, Task task, int[] layers, Activation activation, Loss loss, WeightInit init, int epochs,
                          int batchSize, OptimizerConfig optimizer, ScheduleConfig schedule, RoundConfig rounds,
                          int partitions, int chunks,
                          String master, long seed,
                          String out, boolean overwrite, String checkpointDir, int checkpointEvery,
                          int keepCheckpoints, String resume, OnDivergence onDivergence, int evalEvery,
                          double targetAccuracy) {

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
            require(lr > 0 && Double.isFinite(lr), "--lr must be a positive finite number, got " + lr);
            require(momentum >= 0 && momentum < 1, "--momentum must be in [0, 1), got " + momentum);
            require(kind != Optimizer.Kind.NESTEROV || momentum > 0, "--optimizer nesterov needs --momentum > 0");
            require(beta1 >= 0 && beta1 < 1, "--beta1 must be in [0, 1), got " + beta1);
            require(beta2 >= 0 && beta2 < 1, "--beta2 must be in [0, 1), got " + beta2);
            require(eps > 0 && Double.isFinite(eps), "--eps must be a positive finite number, got " + eps);
            require(weightDecay >= 0 && Double.isFinite(weightDecay), "--weight-decay must be >= 0, got " + weightDecay);
            require(clipNorm >= 0 && Double.isFinite(clipNorm), "--clip-norm must be >= 0 (0 = off), got " + clipNorm);
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
            require(localSteps >= 1 && localSteps <= 1_000_000, "--local-steps must be in [1, 1000000], got "
                    + localSteps);
            require(outerLr > 0 && Double.isFinite(outerLr), "--outer-lr must be a positive finite number, got "
                    + outerLr);
            require(outerMomentum >= 0 && outerMomentum < 1, "--outer-momentum must be in [0, 1), got "
                    + outerMomentum);
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
            require(warmupSteps >= 0, "--warmup-steps must be >= 0, got " + warmupSteps);
            require(decayEvery >= 1, "--decay-every must be at least 1 epoch, got " + decayEvery);
            require(decayFactor > 0 && decayFactor <= 1, "--decay-factor must be in (0, 1], got " + decayFactor);
        }

        public Schedule build(double lr, int stepsPerEpoch, int epochs) {
            return new Schedule(kind, lr, warmupSteps, decayEvery, decayFactor, stepsPerEpoch,
                    (long) stepsPerEpoch * epochs);
        }
    }

    public TrainConfig {
        layers = layers.clone();
        if (layers.length < 2) {
            throw new ConfigException("--layers needs at least an input and an output size, got " + Arrays.toString(layers));
        }
        for (int width : layers) {
            if (width <= 0 || width > 1 << 20) {
                throw new ConfigException("--layers sizes must be in [1, 1048576], got " + width);
            }
        }
        if (task == Task.CLASSIFICATION && layers[layers.length - 1] < 2) {
            throw new ConfigException("--layers must end with the number of classes (at least 2), got "
                    + layers[layers.length - 1] + " (for real-valued labels use --task regression)");
        }
        require(task == Task.CLASSIFICATION || loss.fitsValues(), "--task regression needs --loss mse (or auto), got "
                + loss.id());
        require(epochs >= 1, "--epochs must be at least 1, got " + epochs);
        require(batchSize >= 1, "--batch-size must be at least 1, got " + batchSize);
        require(partitions >= 1 && partitions <= 100_000, "--partitions must be in [1, 100000], got " + partitions);
        require(chunks >= 1 && (long) chunks * partitions <= 1_000_000, "--chunks must be at least 1, with at most "
                + "1000000 partitions in all, got " + chunks);
        require(!master.isBlank(), "--master must not be empty");
        require(!out.isBlank(), "--out must not be empty");
        require(!checkpointDir.isBlank(), "--checkpoint-dir must not be empty");
        require(checkpointEvery >= 0, "--checkpoint-every must be 0 (epoch ends only) or a positive number of steps, got "
                + checkpointEvery);
        require(evalEvery >= 0, "--eval-every must be 0 (epoch ends only) or a positive number of steps, got "
                + evalEvery);
        require(targetAccuracy >= 0 && targetAccuracy <= 1, "--target-accuracy must be in [0, 1] (0 = off), got "
                + targetAccuracy);
        require(targetAccuracy == 0 || task == Task.CLASSIFICATION, "--target-accuracy needs --task classification");
        require(keepCheckpoints >= 1 && keepCheckpoints <= 1000, "--keep-checkpoints must be in [1, 1000], got "
                + keepCheckpoints);
    }

    /**
     * The options that shape the trained weights, as written in a checkpoint; resuming requires them all to
     * match. Where and how the run executes (master, output and checkpoint folders) may differ, and so may the
     * divergence policy: a run that stopped on a NaN can be resumed with {@code --on-divergence skip}.
     */
    public Map<String, String> identity() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("data", data.path());
        m.put("format", data.format().toString());
        m.put("label", data.label());
        m.put("features", String.join(",", data.features()));
        m.put("test-data", data.testData());
        m.put("test-fraction", Double.toString(data.testFraction()));
        m.put("standardize", data.standardize().toString());
        m.put("task", task.toString());
        m.put("layers", Arrays.stream(layers).mapToObj(Integer::toString).collect(Collectors.joining(",")));
        m.put("activation", activation.name().toLowerCase(Locale.ROOT));
        m.put("loss", loss.id());
        m.put("init", init.toString());
        m.put("epochs", Integer.toString(epochs));
        m.put("batch-size", Integer.toString(batchSize));
        m.put("optimizer", optimizer.kind().toString());
        m.put("lr", Double.toString(optimizer.lr()));
        m.put("momentum", Double.toString(optimizer.momentum()));
        m.put("beta1", Double.toString(optimizer.beta1()));
        m.put("beta2", Double.toString(optimizer.beta2()));
        m.put("eps", Double.toString(optimizer.eps()));
        m.put("weight-decay", Double.toString(optimizer.weightDecay()));
        m.put("clip-norm", Double.toString(optimizer.clipNorm()));
        m.put("schedule", schedule.kind().toString());
        m.put("warmup-steps", Integer.toString(schedule.warmupSteps()));
        m.put("decay-every", Integer.toString(schedule.decayEvery()));
        m.put("decay-factor", Double.toString(schedule.decayFactor()));
        m.put("local-steps", Integer.toString(rounds.localSteps()));
        m.put("outer-lr", Double.toString(rounds.outerLr()));
        m.put("outer-momentum", Double.toString(rounds.outerMomentum()));
        m.put("outer-nesterov", Boolean.toString(rounds.outerNesterov()));
        m.put("partitions", Integer.toString(partitions));
        m.put("chunks", Integer.toString(chunks));
        m.put("seed", Long.toString(seed));
        return m;
    }

    @Override
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
