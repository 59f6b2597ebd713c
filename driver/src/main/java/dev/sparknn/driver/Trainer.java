package dev.sparknn.driver;

import dev.sparknn.ops.Network;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.ops.Workspace;
import java.util.Collections;
import java.util.Iterator;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Data-parallel mini-batch training, one Spark job per optimizer step:
 * <ol>
 *   <li>broadcast the current flat parameter vector;</li>
 *   <li>each partition (one cached {@link RowBlock}) runs forward and backward over its share of the step's
 *       global batch and returns one payload {@code [gradient sum (numParams)..., loss sum, sample count]};</li>
 *   <li>{@code treeAggregate} adds the payloads in a fixed order over partition indices ({@link OrderedSum}),
 *       so results are bitwise reproducible; the sums are divided by the total sample count, so every sample
 *       weighs the same whatever the partition sizes;</li>
 *   <li>the optimizer updates the parameters on the driver, and the broadcast is destroyed.</li>
 * </ol>
 *
 * <p>Data order: each epoch, partition {@code p} shuffles its rows with a generator seeded by
 * {@code (seed, epoch, p)}, and step {@code s} of {@code S} takes the {@code s}-th of {@code S} equal slices of
 * that order. An epoch therefore visits every row exactly once, and a step's global batch is
 * {@code ⌈N/S⌉} or {@code ⌊N/S⌋} rows with {@code S = ⌈N / batchSize⌉}.
 */
public final class Trainer {

    /** Rows per forward/backward pass inside a task; bounds scratch memory when a partition's share is large. */
    static final int MAX_CHUNK_ROWS = 1024;

    private final JavaSparkContext sc;
    private final Network net;
    private final Optimizer optimizer;
    private final long seed;
    private final int treeDepth;

    public Trainer(JavaSparkContext sc, Network net, Optimizer optimizer, long seed) {
        this.sc = sc;
        this.net = net;
        this.optimizer = optimizer;
        this.seed = seed;
        this.treeDepth = 2;
    }

    /** Loss and sample count of one epoch's training steps. */
    public record EpochResult(double trainLossSum, long samples, int steps) {
        public double trainLoss() {
            return trainLossSum / samples;
        }
    }

    /** Number of optimizer steps in an epoch over {@code rows} training rows. */
    public static int stepsPerEpoch(long rows, int batchSize) {
        return (int) Math.max(1, (rows + batchSize - 1) / batchSize);
    }

    /**
     * Runs one epoch of steps, updating {@code params} in place.
     *
     * @param train cached, one {@link RowBlock} per partition
     * @throws DivergedException if a step's loss or gradient is not finite
     */
    public EpochResult trainEpoch(JavaRDD<RowBlock> train, long rows, int batchSize, int epoch, float[] params) {
        int steps = stepsPerEpoch(rows, batchSize);
        double lossSum = 0;
        long samples = 0;
        for (int step = 0; step < steps; step++) {
            double[] payload = gradientStep(train, params, epoch, step, steps);
            int n = net.numParams();
            double count = payload[n + 1];
            if (count == 0) {
                continue;
            }
            checkFinite(payload, epoch, step);
            for (int i = 0; i < n; i++) {
                payload[i] /= count;
            }
            optimizer.step(params, payload);
            lossSum += payload[n];
            samples += (long) count;
        }
        return new EpochResult(lossSum, samples, steps);
    }

    /** Summed payload {@code [gradient sum..., loss sum, sample count]} of one step. */
    double[] gradientStep(JavaRDD<RowBlock> train, float[] params, int epoch, int step, int steps) {
        Broadcast<float[]> weights = sc.broadcast(params);
        try {
            Network network = net;
            long runSeed = seed;
            sc.setJobDescription("epoch " + epoch + " step " + (step + 1) + "/" + steps);
            int partitions = train.getNumPartitions();
            return train.mapPartitionsWithIndex(
                    (partition, blocks) -> partitionGradient(network, weights.value(), blocks, runSeed, epoch,
                            partition, partitions, step, steps), false)
                    .treeAggregate(new OrderedSum(partitions), OrderedSum::merge, OrderedSum::merge, treeDepth)
                    .total();
        } finally {
            weights.destroy();
        }
    }

    /** Loss sum, correct predictions and count over every row of {@code data}, with {@code params}. */
    public Network.Evaluation evaluate(JavaRDD<RowBlock> data, float[] params) {
        Broadcast<float[]> weights = sc.broadcast(params);
        try {
            Network network = net;
            sc.setJobDescription("evaluate");
            return data.map(block -> network.evaluate(weights.value(), block,
                            network.newWorkspace(Math.max(1, Math.min(block.rows(), MAX_CHUNK_ROWS)))))
                    .treeReduce(Network.Evaluation::plus, treeDepth);
        } finally {
            weights.destroy();
        }
    }

    private static Iterator<OrderedSum> partitionGradient(Network net, float[] params, Iterator<RowBlock> blocks,
                                                          long seed, int epoch, int partition, int partitions,
                                                          int step, int steps) {
        int n = net.numParams();
        double[] payload = new double[n + 2];
        float[] grad = new float[n];
        while (blocks.hasNext()) {
            RowBlock block = blocks.next();
            int[] order = shuffledOrder(block.rows(), seed, epoch, partition);
            int from = (int) ((long) step * block.rows() / steps);
            int to = (int) ((long) (step + 1) * block.rows() / steps);
            if (to == from) {
                continue;
            }
            Workspace ws = net.newWorkspace(Math.min(to - from, MAX_CHUNK_ROWS));
            payload[n] += net.accumulateGradient(params, block, order, from, to - from, ws, grad);
            payload[n + 1] += to - from;
        }
        for (int i = 0; i < n; i++) {
            payload[i] = grad[i];
        }
        return Collections.singletonList(new OrderedSum(partitions).add(partition, payload)).iterator();
    }

    /** A permutation of {@code [0, rows)}, Fisher–Yates with a generator seeded by (seed, epoch, partition). */
    static int[] shuffledOrder(int rows, long seed, int epoch, int partition) {
        SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1))
                ^ (0xC2B2AE3D27D4EB4FL * (partition + 1)));
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        for (int i = rows - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private void checkFinite(double[] payload, int epoch, int step) {
        int n = net.numParams();
        if (!Double.isFinite(payload[n])) {
            throw new DivergedException(String.format("training diverged at epoch %d step %d: loss sum is %s "
                    + "(try a smaller --lr)", epoch, step + 1, payload[n]));
        }
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(payload[i])) {
                throw new DivergedException(String.format("training diverged at epoch %d step %d: gradient of "
                        + "parameter %d is %s (try a smaller --lr)", epoch, step + 1, i, payload[i]));
            }
        }
    }

    /** The loss or a gradient became NaN or infinite. */
    public static final class DivergedException extends RuntimeException {
        public DivergedException(String message) {
            super(message);
        }
    }
}
