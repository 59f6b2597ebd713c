package dev.sparknn.train;

import dev.sparknn.ops.Affine;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.ops.Workspace;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

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
 * <p>Data order: each epoch, partition {@code p} of {@code P} shuffles its {@code r} rows with a generator seeded
 * by {@code (seed, epoch, p)}, and step {@code s} of {@code S = ⌈N / batchSize⌉} takes positions
 * {@code [⌊(s·r + φ)/S⌋, ⌊((s+1)·r + φ)/S⌋)} of that order, with phase {@code φ = ⌊p·S/P⌋} so that the
 * partitions' rounding remainders land in different steps. An epoch therefore visits every row exactly once,
 * and every global batch holds close to {@code N/S ≤ batchSize} rows.
 *
 * <p>Chunks, for data bigger than the cache: with {@code K > 1} chunks the RDD has {@code P·K} partitions, and
 * partition {@code p·K + k} is chunk {@code k} of slot {@code p}. Each epoch visits the chunks in an order shuffled
 * by {@code (seed, epoch)}; chunk {@code k} gets its share {@code S_k ≈ S/K} of the epoch's steps, and its
 * steps run only on its {@code P} partitions, slicing them as above. A step therefore reads {@code 1/K} of the
 * data, and consecutive steps read the same blocks, which Spark's memory store keeps while the rest waits on disk.
 * With {@code K = 1} this is exactly the plain scheme.
 */
public final class Trainer {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    /** Rows per forward/backward pass inside a task; bounds scratch memory when a partition's share is large. */
    public static final int MAX_CHUNK_ROWS = 1024;
    /** Partition counts up to which the driver merges every payload itself; see {@link #aggregate}. */
    static final int DIRECT_MERGE_MAX = 8;
    /** Depth of Spark's tree for evaluation results, which are small. */
    private static final int TREE_DEPTH = 2;

    private final JavaSparkContext sc;
    private final Network net;
    private final Optimizer optimizer;
    private final Schedule schedule;
    private final double clipNorm;
    private final long seed;
    private final TrainConfig.OnDivergence onDivergence;
    private final int chunks;

    /**
     * @param schedule the learning rate of each update
     * @param clipNorm rescale a mean gradient whose L2 norm exceeds this to this norm; 0 for no clipping
     * @param chunks   K: the training RDD has {@code P·K} partitions (see the class comment); 1 for plain
     */
    public Trainer(JavaSparkContext sc, Network net, Optimizer optimizer, Schedule schedule, double clipNorm,
                   long seed, TrainConfig.OnDivergence onDivergence, int chunks) {
        if (chunks < 1) {
            throw new IllegalArgumentException("chunks must be at least 1, got " + chunks);
        }
        this.chunks = chunks;
        this.sc = sc;
        this.net = net;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.clipNorm = clipNorm;
        this.seed = seed;
        this.onDivergence = onDivergence;
    }

    /**
     * Where an epoch stands: the next step to run and the running totals of its training loss. A checkpoint
     * stores it, so that a resumed epoch continues and reports exactly as an uninterrupted one. {@link #trainEpoch}
     * advances it; the caller reads it between steps.
     */
    public static final class Progress {
        int nextStep;
        long globalStep;
        double lossSum;
        long samples;
        long skipped;
        double lastStepLoss = Double.NaN;
        boolean targetReached;
        final StepTimes times = new StepTimes();

        /** The start of the first epoch. */
        public Progress() {
        }

        /** Where a checkpoint left an epoch; the arguments are the values of the getters below when it was saved. */
        public static Progress resumed(int nextStep, long globalStep, double lossSum, long samples, long skipped) {
            Progress p = new Progress();
            p.nextStep = nextStep;
            p.globalStep = globalStep;
            p.lossSum = lossSum;
            p.samples = samples;
            p.skipped = skipped;
            return p;
        }

        /** A fresh epoch's progress; the global step and skipped-step count run on across epochs. */
        public Progress nextEpoch() {
            Progress p = new Progress();
            p.globalStep = globalStep;
            p.skipped = skipped;
            return p;
        }

        /** First step of the epoch not yet run, 0-based. */
        public int nextStep() {
            return nextStep;
        }

        /** Optimizer steps applied since the run began (skipped steps excluded). */
        public long globalStep() {
            return globalStep;
        }

        /** Sum of the training loss over the epoch's samples so far. */
        public double lossSum() {
            return lossSum;
        }

        /** Training samples of the epoch so far. */
        public long samples() {
            return samples;
        }

        /** Steps dropped since the run began because their loss or gradient was not finite ({@code --on-divergence skip}). */
        public long skipped() {
            return skipped;
        }

        /** Mean loss of the latest step if it was applied, NaN if it was skipped or empty. */
        public double lastStepLoss() {
            return lastStepLoss;
        }

        /** Where the step time of this epoch went (since the run started or resumed; not checkpointed). */
        public StepTimes times() {
            return times;
        }

        /** True once a step hook called {@link #markTargetReached}: the epoch ends after that step. */
        public boolean targetReached() {
            return targetReached;
        }

        /** Called by a step hook when a mid-epoch evaluation reached {@code --target-accuracy}. */
        public void markTargetReached() {
            targetReached = true;
        }

        /** Mean training loss over the epoch's samples so far. */
        public double trainLoss() {
            return lossSum / samples;
        }
    }

    /** Called after every step; may write a checkpoint or stop the run by throwing. */
    @FunctionalInterface
    public interface StepHook {
        void afterStep(int epoch, int steps, Progress progress) throws java.io.IOException;
    }

    /** Number of optimizer steps in an epoch over {@code rows} training rows. */
    public static int stepsPerEpoch(long rows, int batchSize) {
        return (int) Math.max(1, (rows + batchSize - 1) / batchSize);
    }

    /**
     * Runs the steps of {@code epoch} from {@code progress.nextStep} to its end, updating {@code params} and
     * {@code progress} in place, calling {@code hook} after each.
     *
     * @param train cached, one {@link RowBlock} per partition
     * @throws DivergedException if a step's loss or gradient is not finite and the policy is to stop
     */
    public void trainEpoch(JavaRDD<RowBlock> train, long rows, int batchSize, int epoch, float[] params,
                           Progress progress, StepHook hook) throws java.io.IOException {
        int steps = stepsPerEpoch(rows, batchSize);
        int n = net.numParams();
        boolean skip = onDivergence == TrainConfig.OnDivergence.SKIP;
        long appliedBefore = progress.globalStep;
        long skippedBefore = progress.skipped;
        while (progress.nextStep < steps && !progress.targetReached) {
            int step = progress.nextStep;
            long start = System.nanoTime();
            StepResult result = gradientStep(train, params, epoch, step, steps);
            long updateStart = System.nanoTime();
            double[] payload = result.payload();
            double count = payload[n + 1];
            progress.lastStepLoss = Double.NaN;
            if (count > 0) {
                String problem = toMeanIfFinite(payload, count);
                if (problem == null) {
                    // Kept to undo an update that overflows float32 even though its gradient was finite.
                    float[] paramsBefore = skip ? params.clone() : null;
                    float[] stateBefore = skip ? optimizer.state().clone() : null;
                    clip(payload, n, clipNorm);
                    long t = progress.globalStep + 1;
                    optimizer.step(params, payload, schedule.at(t), t);
                    problem = nonFiniteParameter(params);
                    if (problem != null && skip) {
                        System.arraycopy(paramsBefore, 0, params, 0, n);
                        optimizer.restore(stateBefore);
                    }
                }
                if (problem == null) {
                    progress.lastStepLoss = payload[n] / count;
                    progress.globalStep++;
                    progress.lossSum += payload[n];
                    progress.samples += (long) count;
                } else if (skip) {
                    LOG.warn("skipping epoch {} step {}: {}", epoch, step + 1, problem);
                    progress.skipped++;
                } else {
                    throw new DivergedException(String.format("training diverged at epoch %d step %d: %s (try a "
                            + "smaller --lr, or --on-divergence skip)", epoch, step + 1, problem));
                }
            }
            long end = System.nanoTime();
            progress.times.add(result.broadcastNanos(), result.jobNanos(), result.computeNanos(), end - updateStart,
                    end - start);
            if (LOG.isDebugEnabled()) {
                LOG.debug("epoch {} step {}: {}", epoch, step + 1, StepTimes.describe(result.broadcastNanos(),
                        result.jobNanos(), result.computeNanos(), end - updateStart));
            }
            progress.nextStep++;
            hook.afterStep(epoch, steps, progress);
        }
        if (progress.globalStep == appliedBefore && progress.skipped > skippedBefore) {
            throw new DivergedException(String.format("training diverged: every step of epoch %d was skipped for a "
                    + "non-finite loss, gradient or update (try a smaller --lr)", epoch));
        }
    }

    /**
     * One step's summed payload {@code [gradient sum..., loss sum, sample count]}, and where its time went.
     *
     * @param broadcastNanos creating and destroying the weights' broadcast, on the driver
     * @param jobNanos       the Spark job, from submission to the merged result
     * @param computeNanos   the slowest partition's forward and backward passes, inside its task
     */
    public record StepResult(double[] payload, long broadcastNanos, long jobNanos, long computeNanos) {
    }

    public StepResult gradientStep(JavaRDD<RowBlock> train, float[] params, int epoch, int step, int steps) {
        if (train.getNumPartitions() % chunks != 0) {
            throw new IllegalArgumentException(train.getNumPartitions() + " partitions do not make " + chunks
                    + " equal chunks");
        }
        int slots = train.getNumPartitions() / chunks;
        // The chunk this step reads, this step's place among the chunk's steps, and their number.
        int position = chunkPosition(step, steps, chunks);
        int first = (int) ((long) position * steps / chunks);
        int chunkSteps = (int) ((long) (position + 1) * steps / chunks) - first;
        int chunk = chunks == 1 ? 0 : shuffledOrder(chunks, seed, epoch, -1)[position];
        int localStep = step - first;
        int k = chunks;
        // The pruned RDD keeps its filter, so the filter ships with every task: a serializable lambda over locals.
        JavaRDD<RowBlock> blocks = k == 1 ? train : JavaRDD.fromRDD(PartitionPruningRDD.create(train.rdd(),
                (scala.Function1<Object, Object> & java.io.Serializable) i -> (Integer) i % k == chunk),
                train.classTag());
        long start = System.nanoTime();
        Broadcast<float[]> weights = sc.broadcast(params);
        long jobStart = System.nanoTime();
        OrderedSum sum;
        long jobEnd;
        try {
            Network network = net;
            long runSeed = seed;
            sc.setJobDescription("epoch " + epoch + " step " + (step + 1) + "/" + steps);
            sum = aggregate(blocks.mapPartitionsWithIndex(
                    (slot, it) -> partitionGradient(network, weights.value(), it, runSeed, epoch, slot,
                            slot * k + chunk, slots, localStep, chunkSteps), false), slots);
            jobEnd = System.nanoTime();
        } finally {
            weights.destroy();
        }
        long end = System.nanoTime();
        return new StepResult(sum.total(), (jobStart - start) + (end - jobEnd), jobEnd - jobStart, sum.slowestNanos());
    }

    /** The {@code j} with {@code ⌊j·S/K⌋ ≤ step < ⌊(j+1)·S/K⌋}: which of the epoch's K chunk slots a step is in. */
    static int chunkPosition(int step, int steps, int chunks) {
        int j = (int) Math.min(chunks - 1, (long) step * chunks / steps);
        while ((long) j * steps / chunks > step) {
            j--;
        }
        while (j + 1 < chunks && (long) (j + 1) * steps / chunks <= step) {
            j++;
        }
        return j;
    }

    /**
     * One partition's share of a step: its float gradient sum (exactly what it computed, so shipping floats rather
     * than doubles loses nothing and halves the result), loss sum, row count and compute time.
     */
    record Partial(int partition, float[] grad, double loss, double count, long nanos) implements java.io.Serializable {

        /** {@code [gradient sum..., loss sum, sample count]} in double, as {@link OrderedSum} adds it. */
        double[] payload() {
            int n = grad.length;
            double[] payload = new double[n + 2];
            for (int i = 0; i < n; i++) {
                payload[i] = grad[i];
            }
            payload[n] = loss;
            payload[n + 1] = count;
            return payload;
        }

        OrderedSum toSum(int partitions) {
            return new OrderedSum(partitions).add(partition, payload(), nanos);
        }
    }

    /**
     * Adds the per-partition sums in {@link OrderedSum}'s fixed order. Up to {@value #DIRECT_MERGE_MAX} partitions,
     * the driver collects the float partials and adds them itself. Beyond, executors first merge aligned groups of
     * {@code 2^k ≈ √P} neighbouring partitions (siblings in {@link OrderedSum}'s tree, so the merges really shrink
     * the data), and the driver merges the √P group sums. Spark's own multi-level {@code treeAggregate} groups
     * partitions by index modulo the group count, which pairs no siblings and would ship every payload through an
     * extra shuffle unreduced.
     */
    static OrderedSum aggregate(JavaRDD<Partial> leaves, int partitions) {
        if (partitions <= DIRECT_MERGE_MAX) {
            OrderedSum sum = new OrderedSum(partitions);
            for (Partial p : leaves.collect()) {
                sum.add(p.partition(), p.payload(), p.nanos());
            }
            return sum;
        }
        int bits = 32 - Integer.numberOfLeadingZeros((int) Math.ceil(Math.sqrt(partitions)) - 1);
        int groups = ((partitions - 1) >> bits) + 1;
        return leaves.mapToPair(p -> new Tuple2<>(p.partition() >> bits, p.toSum(partitions)))
                .reduceByKey(OrderedSum::merge, groups)
                .values()
                .treeAggregate(new OrderedSum(partitions), OrderedSum::merge, OrderedSum::merge, 1);
    }

    /** Loss sum and confusion matrix over every row of {@code data}, with {@code params}. */
    public Network.Evaluation evaluate(JavaRDD<RowBlock> data, float[] params) {
        return evaluate(sc, net, data, params);
    }

    /** As {@link #evaluate(JavaRDD, float[])}, for any network: one distributed pass, partition sums added. */
    public static Network.Evaluation evaluate(JavaSparkContext sc, Network network, JavaRDD<RowBlock> data, float[] params) {
        Broadcast<float[]> weights = sc.broadcast(params);
        try {
            sc.setJobDescription("evaluate");
            return data.map(block -> network.evaluate(weights.value(), block,
                            network.newWorkspace(Math.max(1, Math.min(block.rows(), MAX_CHUNK_ROWS)))))
                    .treeReduce(Network.Evaluation::plus, TREE_DEPTH);
        } finally {
            weights.destroy();
        }
    }

    /**
     * @param slot      this partition's place among the step's partitions, 0 to {@code slots − 1}
     * @param block     its index in the training RDD, which seeds its row order
     * @param step      the step among its chunk's {@code steps}
     */
    private static Iterator<Partial> partitionGradient(Network net, float[] params, Iterator<RowBlock> blocks,
                                                       long seed, int epoch, int slot, int block, int slots,
                                                       int step, int steps) {
        long start = System.nanoTime();
        TaskBuffers buffers = TaskBuffers.of(net, MAX_CHUNK_ROWS);
        float[] grad = buffers.zeroedGradient();
        double loss = 0;
        double count = 0;
        while (blocks.hasNext()) {
            RowBlock rows = blocks.next();
            int[] order = TaskBuffers.order(rows.rows(), seed, epoch, block);
            // Stagger partitions by a phase so that their rounding remainders fall in different steps.
            long phase = (long) slot * steps / slots;
            int from = (int) (((long) step * rows.rows() + phase) / steps);
            int to = (int) (((long) (step + 1) * rows.rows() + phase) / steps);
            if (to > from) {
                loss += net.accumulateGradient(params, rows, order, from, to - from, buffers.workspace(), grad);
                count += to - from;
            }
        }
        return List.of(new Partial(slot, grad, loss, count, System.nanoTime() - start)).iterator();
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

    /** {@code g := g · min(1, maxNorm / ‖g‖₂)} over the first {@code n} entries; a {@code maxNorm} of 0 does nothing. */
    static void clip(double[] g, int n, double maxNorm) {
        if (maxNorm <= 0) {
            return;
        }
        double sq = 0;
        for (int i = 0; i < n; i++) {
            sq += g[i] * g[i];
        }
        double norm = Math.sqrt(sq);
        if (norm > maxNorm) {
            double scale = maxNorm / norm;
            for (int i = 0; i < n; i++) {
                g[i] *= scale;
            }
        }
    }

    /**
     * Divides the payload's gradient sum by {@code count} in place, in the same pass that checks it: null if the
     * loss and gradient are finite, otherwise which value and which parameter (the payload is then unusable).
     */
    private String toMeanIfFinite(double[] payload, double count) {
        int n = net.numParams();
        if (!Double.isFinite(payload[n])) {
            return "loss sum is " + payload[n];
        }
        for (int i = 0; i < n; i++) {
            double g = payload[i];
            if (!Double.isFinite(g)) {
                return "gradient of " + parameterName(i) + " is " + g;
            }
            payload[i] = g / count;
        }
        return null;
    }

    /** Null if every parameter is finite, otherwise the first one that is not. */
    private String nonFiniteParameter(float[] params) {
        for (int i = 0; i < params.length; i++) {
            if (!Float.isFinite(params[i])) {
                return "the update made " + parameterName(i) + " " + params[i];
            }
        }
        return null;
    }

    /** E.g. {@code W2[3,7]} or {@code b1[4]}: the layer (1-based) and position of flat parameter {@code index}. */
    String parameterName(int index) {
        Affine[] layers = net.layers();
        for (int l = 0; l < layers.length; l++) {
            Affine a = layers[l];
            if (index < a.biasOffset()) {
                int w = index - a.offset();
                return String.format("W%d[%d,%d] (layer %d weights)", l + 1, w / a.numOut(), w % a.numOut(), l + 1);
            }
            if (index < a.offset() + a.numParams()) {
                return String.format("b%d[%d] (layer %d biases)", l + 1, index - a.biasOffset(), l + 1);
            }
        }
        throw new IllegalArgumentException("parameter index " + index + " outside [0, " + net.numParams() + ")");
    }

    /** The loss or a gradient became NaN or infinite. */
    public static final class DivergedException extends RuntimeException {
        public DivergedException(String message) {
            super(message);
        }
    }
}
