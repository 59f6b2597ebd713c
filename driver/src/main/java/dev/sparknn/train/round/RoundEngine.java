package dev.sparknn.train.round;

import dev.sparknn.ops.Network;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.train.Schedule;
import dev.sparknn.train.TrainConfig;
import java.io.IOException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's side of training in rounds, one Spark job per round (the package comment walks through a round):
 * plan the round ({@link RoundPlan}, {@link RoundTask}), broadcast, run {@link PartitionWork} on the chunk's
 * partitions, add their payloads in a fixed order ({@link Aggregation}), update on the driver ({@link DriverUpdate}),
 * destroy the broadcast, and account for the round in the epoch's {@link EpochProgress}.
 */
public final class RoundEngine {

    private static final Logger LOG = LoggerFactory.getLogger(RoundEngine.class);

    /** Rows per forward/backward pass inside a task; bounds scratch memory when a partition's share is large. */
    public static final int MAX_CHUNK_ROWS = 1024;
    /**
     * Scratch memory of an evaluation task, which allocates its workspace afresh: as many rows as fit, up to
     * {@link #MAX_CHUNK_ROWS}. All 1,024 for 784-512-10 (11.8 MB) and 784-1024-1024-10 (20 MB); 136 for SimpleConvNet,
     * whose 1,024 would take 252 MB per task.
     */
    private static final long EVAL_WORKSPACE_BYTES = 32L << 20;
    /** Depth of Spark's tree for evaluation results, which are small. */
    private static final int TREE_DEPTH = 2;

    private final JavaSparkContext sc;
    private final Network net;
    private final TrainConfig.OptimizerConfig optimizer;
    private final Schedule schedule;
    private final long seed;
    private final TrainConfig.OnDivergence onDivergence;
    private final int chunks;
    private final int localSteps;
    private final DriverUpdate update;

    /**
     * @param optimizer the inner optimizer: on the driver with {@code H = 1}, in every partition with {@code H > 1}
     * @param schedule  the learning rate of each step
     * @param chunks    K: the training RDD has {@code P·K} partitions (see {@link RoundPlan}); 1 for plain
     * @param rounds    local steps per round and the outer update
     */
    public RoundEngine(JavaSparkContext sc, Network net, TrainConfig.OptimizerConfig optimizer, Schedule schedule,
                       long seed, TrainConfig.OnDivergence onDivergence, int chunks, TrainConfig.RoundConfig rounds) {
        if (chunks < 1) {
            throw new IllegalArgumentException("chunks must be at least 1, got " + chunks);
        }
        this.sc = sc;
        this.net = net;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.seed = seed;
        this.onDivergence = onDivergence;
        this.chunks = chunks;
        this.localSteps = rounds.localSteps();
        this.update = new DriverUpdate(net, optimizer, rounds);
    }

    /**
     * The training state besides the weights that a checkpoint must keep to resume exactly:
     * {@code [optimizer state (velocity or Adam's moments)..., outer momentum buffer...]}, a copy.
     */
    public float[] state() {
        return update.state();
    }

    /**
     * Restores {@link #state()} from a checkpoint.
     *
     * @throws IllegalArgumentException if {@code saved} has another length than {@link #state()}
     */
    public void restore(float[] saved) {
        update.restore(saved);
    }

    /** The rounds of an epoch of {@code steps} steps with this engine's chunks and local steps. */
    public RoundPlan plan(int steps) {
        return new RoundPlan(steps, chunks, localSteps);
    }

    /** Called after every round. */
    @FunctionalInterface
    public interface RoundHook {
        /**
         * @return true to end the epoch after this round (a target was reached)
         * @throws IOException may stop the run by throwing, e.g. after writing a checkpoint
         */
        boolean afterRound(int epoch, int steps, EpochProgress progress) throws IOException;
    }

    /**
     * Runs the rounds of {@code epoch} from {@code progress.nextStep()} to its end, updating {@code params} and
     * {@code progress} in place, calling {@code hook} after each round.
     *
     * @param train cached, one {@link RowBlock} per partition
     * @throws DivergedException if a round's loss, gradient or update is not finite and the policy is to stop
     */
    public void trainEpoch(JavaRDD<RowBlock> train, long rows, int batchSize, int epoch, float[] params,
                           EpochProgress progress, RoundHook hook) throws IOException {
        RoundPlan plan = plan(RoundPlan.stepsPerEpoch(rows, batchSize));
        int steps = plan.steps();
        long appliedBefore = progress.globalStep;
        long skippedBefore = progress.skipped;
        while (progress.nextStep < steps && !progress.targetReached) {
            int first = progress.nextStep;
            int end = plan.roundEnd(first);
            long start = System.nanoTime();
            RoundResult result = round(train, params, epoch, plan, first, end, progress.globalStep);
            String problem = result.problem();
            progress.lastStepLoss = Double.NaN;
            progress.lastRoundSteps = end - first;
            if (result.count() > 0) {
                if (problem == null) {
                    progress.lastStepLoss = result.loss() / result.count();
                    progress.globalStep += end - first;
                    progress.lossSum += result.loss();
                    progress.samples += (long) result.count();
                } else if (onDivergence == TrainConfig.OnDivergence.SKIP) {
                    LOG.warn("skipping epoch {} {}: {}", epoch, describeRound(first, end), problem);
                    progress.skipped += end - first;
                } else {
                    throw new DivergedException(String.format("training diverged at epoch %d %s: %s (try a smaller "
                            + "--lr, such as %s, or --on-divergence skip)", epoch, describeRound(first, end), problem,
                            smallerLr()));
                }
            }
            long finish = System.nanoTime();
            progress.times.add(result.broadcastNanos(), result.jobNanos(), result.computeNanos(),
                    finish - result.updateStart(), finish - start, end - first);
            if (LOG.isDebugEnabled()) {
                LOG.debug("epoch {} {}: {}", epoch, describeRound(first, end), StepTimes.describe(
                        result.broadcastNanos(), result.jobNanos(), result.computeNanos(), finish - result.updateStart()));
            }
            progress.nextStep = end;
            progress.targetReached = hook.afterRound(epoch, steps, progress);
        }
        if (progress.globalStep == appliedBefore && progress.skipped > skippedBefore) {
            throw new DivergedException(String.format("training diverged: every step of epoch %d was skipped for a "
                    + "non-finite loss, gradient or update (try a smaller --lr, such as %s)", epoch, smallerLr()));
        }
    }

    /** A tenth of the configured learning rate, as the divergence message suggests it. */
    private String smallerLr() {
        return new java.math.BigDecimal(optimizer.lr() / 10).round(new java.math.MathContext(2))
                .stripTrailingZeros().toPlainString();
    }

    private static String describeRound(int first, int end) {
        return end - first == 1 ? "step " + (first + 1) : "steps " + (first + 1) + "-" + end;
    }

    /**
     * What a round did, and where its time went.
     *
     * @param loss           loss sum over the round's samples
     * @param count          the round's samples; 0 if its slices were empty (nothing was applied)
     * @param problem        null, or what was not finite (the round was not applied to the weights)
     * @param broadcastNanos creating and destroying the broadcast, on the driver
     * @param jobNanos       the Spark job, from submission to the merged result
     * @param computeNanos   the slowest partition's forward and backward passes (and local updates), in its task
     * @param updateStart    {@link System#nanoTime()} when the driver's update began
     */
    private record RoundResult(double loss, double count, String problem, long broadcastNanos, long jobNanos,
                               long computeNanos, long updateStart) {
    }

    /**
     * The round {@code [first, end)} of {@code epoch}, after {@code applied} updates: its job, then the driver's
     * update ({@code H = 1}: a step with the mean gradient; {@code H > 1}: the sample-weighted averages).
     */
    private RoundResult round(JavaRDD<RowBlock> train, float[] params, int epoch, RoundPlan plan, int first, int end,
                              long applied) {
        boolean local = plan.localSteps() > 1;
        Job job = job(train, local ? update.localStart(params) : params, epoch, plan, first, end, applied);
        long updateStart = System.nanoTime();
        double[] total = job.sum().total();
        double loss = total[total.length - 2];
        double count = total[total.length - 1];
        String problem = job.sum().problem();
        if (problem == null && count > 0) {
            problem = local ? update.average(params, total)
                    : update.step(params, total, job.task().lrs()[0], job.task().firstUpdate());
        }
        return new RoundResult(loss, count, problem, job.broadcastNanos(), job.jobNanos(), job.sum().slowestNanos(),
                updateStart);
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

    /**
     * The summed gradient payload of step {@code step} of {@code steps} in {@code epoch}, at {@code params}, as a
     * synchronous round computes it, without updating anything.
     */
    public StepResult gradientStep(JavaRDD<RowBlock> train, float[] params, int epoch, int step, int steps) {
        Job job = job(train, params, epoch, new RoundPlan(steps, chunks, 1), step, step + 1, 0);
        return new StepResult(job.sum().total(), job.broadcastNanos(), job.jobNanos(), job.sum().slowestNanos());
    }

    /**
     * A round's task, its fixed-order sum and where its time went.
     *
     * @param broadcastNanos creating and destroying the broadcast, on the driver
     * @param jobNanos       the Spark job, from submission to the merged result
     */
    private record Job(RoundTask task, OrderedSum sum, long broadcastNanos, long jobNanos) {
    }

    /**
     * The Spark job of the round {@code [first, end)}: broadcast {@code start}, run {@link PartitionWork} on the
     * chunk's partitions, add their payloads in {@link Aggregation}'s fixed order, then destroy the broadcast whatever
     * happened. The tasks' closure captures locals only, never this engine.
     */
    private Job job(JavaRDD<RowBlock> train, float[] start, int epoch, RoundPlan plan, int first, int end,
                    long applied) {
        RoundTask task = RoundTask.of(plan, train.getNumPartitions(), net, optimizer, schedule, seed, epoch, first,
                end, applied);
        int k = task.chunks();
        int chunk = task.chunk();
        // The pruned RDD keeps its filter, so the filter ships with every task: a serializable lambda over locals.
        JavaRDD<RowBlock> blocks = k == 1 ? train : JavaRDD.fromRDD(PartitionPruningRDD.create(train.rdd(),
                (scala.Function1<Object, Object> & java.io.Serializable) i -> (Integer) i % k == chunk),
                train.classTag());
        long t0 = System.nanoTime();
        Broadcast<PackedFloats> broadcast = sc.broadcast(new PackedFloats(start));
        long jobStart = System.nanoTime();
        OrderedSum sum;
        long jobEnd;
        try {
            sc.setJobDescription("epoch " + epoch + " " + describeRound(first, end) + "/" + plan.steps());
            sum = Aggregation.sum(blocks.mapPartitionsWithIndex(
                    (slot, it) -> PartitionWork.run(task, broadcast.value().values(), slot, it), false), task.slots());
            jobEnd = System.nanoTime();
        } finally {
            broadcast.destroy();
        }
        return new Job(task, sum, (jobStart - t0) + (System.nanoTime() - jobEnd), jobEnd - jobStart);
    }

    /** Loss sum and confusion matrix over every row of {@code data}, with {@code params}. */
    public Network.Evaluation evaluate(JavaRDD<RowBlock> data, float[] params) {
        return evaluate(sc, net, data, params);
    }

    /** As {@link #evaluate(JavaRDD, float[])}, for any network: one distributed pass, partition sums added. */
    public static Network.Evaluation evaluate(JavaSparkContext sc, Network network, JavaRDD<RowBlock> data,
                                              float[] params) {
        Broadcast<PackedFloats> weights = sc.broadcast(new PackedFloats(params));
        try {
            sc.setJobDescription("evaluate");
            return data.map(block -> network.evaluate(weights.value().values(), block, network.newWorkspace(
                            network.rowsWithin(EVAL_WORKSPACE_BYTES, Math.min(block.rows(), MAX_CHUNK_ROWS)))))
                    .treeReduce(Network.Evaluation::plus, TREE_DEPTH);
        } finally {
            weights.destroy();
        }
    }

}
