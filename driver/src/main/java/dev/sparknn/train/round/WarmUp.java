package dev.sparknn.train.round;

import dev.sparknn.ops.Network;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.ops.SoftmaxCrossEntropy;
import dev.sparknn.train.Schedule;
import dev.sparknn.train.TrainConfig;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warm-up rounds on synthetic rows, through the engine's own code, on a thread of their own while the real data
 * loads: the executors' forward and backward passes and optimizer pass, the driver's update and Spark's path for a
 * round's job (broadcast, task and result serialisation) run here first, so that the JIT has compiled them before
 * the first real round. With one round of 8 steps the first real round still took 1.5 times the median of its epoch
 * (the loops were queued for compilation behind Spark's own code); with two rounds' worth of steps, about one time.
 * The warm-up fills the load's time and no more: once the data has loaded ({@link #join}) it ends with the short
 * synthetic epoch it is in, so the command's wall time grows by at most that epoch, and the training clock, which
 * starts after {@link #join}, includes none of it. The rounds have their own weights, optimizer state and rows;
 * nothing of the run's is touched.
 */
public final class WarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);

    /**
     * Steps of the warm-up: as many as two of the run's rounds, at least {@value #MIN_STEPS} (each loop over the
     * parameters then runs millions of iterations, past the JIT's thresholds) and at most {@value #MAX_STEPS}.
     */
    static final int MIN_STEPS = 16;
    static final int MAX_STEPS = 128;
    /** Steps per synthetic epoch: the rows are reused epoch after epoch, so they stay few. */
    static final int STEPS_PER_EPOCH = 16;
    /** Rows of a warm-up step over all partitions, at most: the code paths matter, not the batch. */
    static final int MAX_ROWS_PER_STEP = 256;
    /**
     * Synthetic feature values per partition (8 MB): fewer rows per step for wider inputs, down to one (then a
     * partition holds {@value #STEPS_PER_EPOCH} rows, more than this for inputs wider than 131,072 values).
     */
    static final long MAX_VALUES_PER_PARTITION = 2L << 20;

    private final Thread thread;
    /** Set once the data has loaded: the warm-up then ends with the synthetic epoch it is in. */
    private final AtomicBoolean loaded;

    private WarmUp(Thread thread, AtomicBoolean loaded) {
        this.thread = thread;
        this.loaded = loaded;
    }

    /**
     * Starts the warm-up on {@code partitions} partitions of up to {@code min(batchSize, 256)} synthetic rows per
     * step, with the run's network, optimizer and round settings: synthetic epochs until {@link #steps} steps are
     * done or {@link #join} is called, whichever comes first. A failure (a diverging synthetic round) is logged and
     * otherwise ignored: the run's own rounds report their own.
     */
    public static WarmUp start(JavaSparkContext sc, Network net, TrainConfig.OptimizerConfig optimizer,
                               TrainConfig.RoundConfig rounds, int partitions, int batchSize) {
        AtomicBoolean loaded = new AtomicBoolean();
        Thread thread = new Thread(() -> {
            try {
                run(sc, net, optimizer, rounds, partitions, batchSize, loaded::get);
            } catch (Exception e) {
                LOG.debug("warm-up failed (ignored): {}", e.toString());
            }
        }, "sparknn-warm-up");
        thread.setDaemon(true);
        thread.start();
        return new WarmUp(thread, loaded);
    }

    /**
     * Call once the data has loaded: lets the warm-up finish the synthetic epoch it is in (at most
     * {@value #STEPS_PER_EPOCH} steps), skipping the rest, and waits for it, so that it fills the load's time and
     * adds at most one short epoch to the command's. An interrupt ends the wait and stays set.
     */
    public void join() {
        loaded.set(true);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The warm-up's steps: {@code 2·localSteps} within [{@value #MIN_STEPS}, {@value #MAX_STEPS}], rounded up to
     * whole synthetic epochs of {@value #STEPS_PER_EPOCH}.
     */
    static int steps(int localSteps) {
        int steps = (int) Math.max(MIN_STEPS, Math.min(2L * localSteps, MAX_STEPS));
        return (steps + STEPS_PER_EPOCH - 1) / STEPS_PER_EPOCH * STEPS_PER_EPOCH;
    }

    /**
     * The warm-up itself, on this thread: synthetic epochs of {@value #STEPS_PER_EPOCH} steps over the same cached
     * rows, at least one, until {@link #steps} steps are done or {@code enough} says to stop; throws what a round
     * throws.
     */
    static void run(JavaSparkContext sc, Network net, TrainConfig.OptimizerConfig optimizer,
                    TrainConfig.RoundConfig rounds, int partitions, int batchSize, BooleanSupplier enough)
            throws Exception {
        long widest = Math.max(1, MAX_VALUES_PER_PARTITION / ((long) STEPS_PER_EPOCH * net.numInputs()));
        int rowsPerSlice = (int) Math.max(1, Math.min(widest, Math.min(batchSize, MAX_ROWS_PER_STEP) / partitions));
        int rowsPerPartition = STEPS_PER_EPOCH * rowsPerSlice;
        JavaRDD<RowBlock> rows = sc.parallelize(IntStream.range(0, partitions).boxed().toList(), partitions)
                .map(p -> synthetic(net, rowsPerPartition, p)).cache();
        try {
            int epochs = steps(rounds.localSteps()) / STEPS_PER_EPOCH;
            Schedule schedule = new Schedule(Schedule.Kind.CONSTANT, optimizer.lr(), 0, 1, 1, STEPS_PER_EPOCH,
                    (long) epochs * STEPS_PER_EPOCH);
            RoundEngine engine = new RoundEngine(sc, net, optimizer, schedule, 0, TrainConfig.OnDivergence.SKIP, 1,
                    rounds);
            float[] params = synthetic(new Random(-1), net.numParams(), 0.01f);
            // One progress across the epochs: the step count t runs on, as Adam's bias correction expects.
            EpochProgress progress = new EpochProgress();
            for (int epoch = 1; epoch <= epochs && (epoch == 1 || !enough.getAsBoolean()); epoch++) {
                engine.trainEpoch(rows, (long) rowsPerPartition * partitions, rowsPerSlice * partitions, epoch,
                        params, progress, (e, steps, p) -> false);
                progress = progress.nextEpoch();
            }
        } finally {
            rows.unpersist(false);
        }
    }

    /** {@code rows} rows of standard normal features with random class labels, or targets for a regression head. */
    private static RowBlock synthetic(Network net, int rows, int seed) {
        Random random = new Random(seed);
        int inputs = net.numInputs();
        int outputs = net.numOutputs();
        float[] features = synthetic(random, rows * inputs, 1f);
        if (!(net.loss() instanceof SoftmaxCrossEntropy)) {
            return RowBlock.regression(rows, inputs, features, outputs, synthetic(random, rows * outputs, 1f));
        }
        int[] labels = new int[rows];
        for (int r = 0; r < rows; r++) {
            labels[r] = random.nextInt(outputs);
        }
        return new RowBlock(rows, inputs, features, labels);
    }

    private static float[] synthetic(Random random, int n, float std) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian() * std;
        }
        return values;
    }
}
