package dev.sparknn.train.round;

import dev.sparknn.ops.Network;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.ops.SoftmaxCrossEntropy;
import dev.sparknn.train.Schedule;
import dev.sparknn.train.TrainConfig;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round of {@link #STEPS} steps on synthetic rows, through the engine's own code, on a thread of its own while
 * the real data loads: the executors' forward and backward passes and optimizer pass, the driver's update and
 * Spark's path for a round's job (broadcast, task and result serialisation) run for the first time here, so that the
 * JIT has compiled them before the first real round, which otherwise took several times as long as the next. The
 * cost stays in the command's wall time: it overlaps the load, and {@link #join} waits for what is left before the
 * training clock starts. The round has its own weights, optimizer state and rows; nothing of the run's is touched.
 */
public final class WarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);

    /** Steps of the warm-up: each loop over the parameters runs 100k's of iterations a step, past JIT thresholds. */
    static final int STEPS = 8;
    /** Rows of a warm-up step over all partitions, at most: the code paths matter, not the batch. */
    static final int MAX_ROWS_PER_STEP = 256;

    private final Thread thread;

    private WarmUp(Thread thread) {
        this.thread = thread;
    }

    /**
     * Starts the warm-up round on {@code partitions} partitions of {@code min(batchSize, 256)} synthetic rows per
     * step, with the run's network, optimizer and round settings. A failure (a diverging synthetic round) is logged
     * and otherwise ignored: the run's own rounds report their own.
     */
    public static WarmUp start(JavaSparkContext sc, Network net, TrainConfig.OptimizerConfig optimizer,
                               TrainConfig.RoundConfig rounds, int partitions, int batchSize) {
        Thread thread = new Thread(() -> {
            try {
                run(sc, net, optimizer, rounds, partitions, batchSize);
            } catch (Exception e) {
                LOG.debug("warm-up round failed (ignored): {}", e.toString());
            }
        }, "sparknn-warm-up");
        thread.setDaemon(true);
        thread.start();
        return new WarmUp(thread);
    }

    /** Waits for the warm-up round to end (an interrupt ends the wait and stays set). */
    public void join() {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The warm-up round itself, on this thread; throws what the round throws. */
    static void run(JavaSparkContext sc, Network net, TrainConfig.OptimizerConfig optimizer,
                    TrainConfig.RoundConfig rounds, int partitions, int batchSize) throws Exception {
        int rowsPerSlice = Math.max(1, Math.min(batchSize, MAX_ROWS_PER_STEP) / partitions);
        int rowsPerPartition = STEPS * rowsPerSlice;
        JavaRDD<RowBlock> rows = sc.parallelize(IntStream.range(0, partitions).boxed().toList(), partitions)
                .map(p -> synthetic(net, rowsPerPartition, p));
        Schedule schedule = new Schedule(Schedule.Kind.CONSTANT, optimizer.lr(), 0, 1, 1, STEPS, STEPS);
        RoundEngine engine = new RoundEngine(sc, net, optimizer, schedule, 0, TrainConfig.OnDivergence.SKIP, 1, rounds);
        float[] params = synthetic(new Random(-1), net.numParams(), 0.01f);
        engine.trainEpoch(rows, (long) rowsPerPartition * partitions, rowsPerSlice * partitions, 1, params,
                new EpochProgress(), (epoch, steps, progress) -> false);
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
