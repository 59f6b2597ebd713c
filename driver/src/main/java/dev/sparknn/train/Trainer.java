package dev.sparknn.train;

import dev.sparknn.ops.Affine;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.RowBlock;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Data-parallel mini-batch training in <em>rounds</em>: one Spark job per round.
 * <ol>
 *   <li>the driver broadcasts the current flat parameter vector (with {@code H > 1}, followed by the optimizer's
 *       state);</li>
 *   <li>each partition (one cached {@link RowBlock}) works through its slices of the round's steps:
 *       <ul>
 *         <li>{@code H = 1} ({@code --local-steps 1}, synchronous SGD): the forward and backward pass over its share
 *             of the step's global batch; it returns {@code [gradient sum (numParams)..., loss sum, sample count]};</li>
 *         <li>{@code H > 1} (local SGD, periodic model averaging): {@code H} optimizer steps of its own, one per slice,
 *             from the broadcast weights and state; it returns its weights and optimizer state, each multiplied by the
 *             round's sample count {@code n_p}, with its loss sum and {@code n_p};</li>
 *       </ul></li>
 *   <li>the payloads are added in a fixed order over partition indices ({@link OrderedSum}), so results are bitwise
 *       reproducible, and divided by the total sample count, so every sample weighs the same whatever the
 *       partition sizes (with {@link RowBlock#weights}, by the summed weight: each row counts its weight);</li>
 *   <li>the driver updates: with {@code H = 1} the optimizer steps with the mean gradient; with {@code H > 1} the
 *       sample-weighted mean of the partitions' weights and states replaces the current ones (plain averaging), or
 *       an outer SGD step with momentum treats {@code w − mean} as a gradient (SlowMo, Wang et al., ICLR 2020;
 *       DiLoCo, Douillard et al., 2023). The broadcast is destroyed.</li>
 * </ol>
 * The optimizer state travels with the weights, so nothing lives only in an executor: a retried task or a lost
 * executor recomputes the same bits. With one partition, {@code H} local steps equal {@code H} synchronous ones
 * bit for bit, for every optimizer (the average of one is itself).
 *
 * <p>Data order: each epoch, partition {@code p} of {@code P} shuffles its {@code r} rows with a generator seeded
 * by {@code (seed, epoch, p)}, and step {@code s} of {@code S = ⌈N / batchSize⌉} takes positions
 * {@code [⌊(s·r + φ)/S⌋, ⌊((s+1)·r + φ)/S⌋)} of that order, with phase {@code φ = ⌊p·S/P⌋} so that the
 * partitions' rounding remainders land in different steps. An epoch therefore visits every row exactly once,
 * and every global batch holds close to {@code N/S ≤ batchSize} rows. A round takes the next {@code H} steps of
 * its chunk (fewer at a chunk's or an epoch's end), so the slices, and with {@code H = 1} the arithmetic, are those
 * of synchronous training.
 *
 * <p>Chunks, for data bigger than the cache: with {@code K > 1} chunks the RDD has {@code P·K} partitions, and
 * partition {@code p·K + k} is chunk {@code k} of slot {@code p}. Each epoch visits the chunks in an order shuffled
 * by {@code (seed, epoch)}; chunk {@code k} gets its share {@code S_k ≈ S/K} of the epoch's steps, and its
 * rounds run only on its {@code P} partitions, slicing them as above. A round therefore reads {@code 1/K} of the
 * data, once, and consecutive rounds read the same blocks, which Spark's memory store keeps while the rest waits
 * on disk. With {@code K = 1} this is exactly the plain scheme.
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
    private final TrainConfig.OptimizerConfig optimizerConfig;
    private final Optimizer optimizer;
    private final Schedule schedule;
    private final long seed;
    private final TrainConfig.OnDivergence onDivergence;
    private final int chunks;
    private final TrainConfig.RoundConfig rounds;
    /** The outer momentum buffer {@code u} of {@code --outer-momentum}; empty for plain averaging. */
    private final float[] outerVelocity;

    /**
     * @param optimizer the inner optimizer: on the driver with {@code H = 1}, in every partition with {@code H > 1}
     * @param schedule  the learning rate of each step
     * @param chunks    K: the training RDD has {@code P·K} partitions (see the class comment); 1 for plain
     * @param rounds    local steps per round and the outer update
     */
    public Trainer(JavaSparkContext sc, Network net, TrainConfig.OptimizerConfig optimizer, Schedule schedule,
                   long seed, TrainConfig.OnDivergence onDivergence, int chunks, TrainConfig.RoundConfig rounds) {
        if (chunks < 1) {
            throw new IllegalArgumentException("chunks must be at least 1, got " + chunks);
        }
        this.chunks = chunks;
        this.sc = sc;
        this.net = net;
        this.optimizerConfig = optimizer;
        this.optimizer = Optimizer.create(optimizer, net.numParams());
        this.schedule = schedule;
        this.seed = seed;
        this.onDivergence = onDivergence;
        this.rounds = rounds;
        this.outerVelocity = new float[rounds.outerMomentum() > 0 ? net.numParams() : 0];
    }

    /**
     * The training state besides the weights that a checkpoint must keep to resume exactly:
     * {@code [optimizer state (velocity or Adam's moments)..., outer momentum buffer...]}, a copy.
     */
    public float[] state() {
        float[] inner = optimizer.state();
        float[] all = Arrays.copyOf(inner, inner.length + outerVelocity.length);
        System.arraycopy(outerVelocity, 0, all, inner.length, outerVelocity.length);
        return all;
    }

    /**
     * Restores {@link #state()} from a checkpoint.
     *
     * @throws IllegalArgumentException if {@code saved} has another length than {@link #state()}
     */
    public void restore(float[] saved) {
        int inner = optimizer.state().length;
        if (saved.length != inner + outerVelocity.length) {
            throw new IllegalArgumentException("training state has " + saved.length + " values, expected "
                    + (inner + outerVelocity.length));
        }
        optimizer.restore(Arrays.copyOf(saved, inner));
        System.arraycopy(saved, inner, outerVelocity, 0, outerVelocity.length);
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
        /** Steps run (applied or skipped) by the latest round. */
        int lastRoundSteps;
        final StepTimes times = new StepTimes();

        /** The start of the first epoch. */
        public Progress() {
        }

        /**
         * Where a checkpoint left an epoch; the arguments are the values of the getters below when it was saved,
         * and {@code times} the {@link StepTimes#state()} of {@link #times()} (empty for none).
         */
        public static Progress resumed(int nextStep, long globalStep, double lossSum, long samples, long skipped,
                                       long[] times) {
            Progress p = new Progress();
            p.times.restore(times);
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

        /** Mean loss of the latest round if it was applied, NaN if it was skipped or empty. */
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

        /**
         * True if the latest round passed a multiple of {@code every} steps run (applied or skipped): a round of
         * {@code H} steps passes at most one such point per {@code every ≥ H}, and may pass several otherwise.
         */
        public boolean passed(long every) {
            long after = globalStep + skipped;
            return every > 0 && after / every > (after - lastRoundSteps) / every;
        }

        /** Mean training loss over the epoch's samples so far. */
        public double trainLoss() {
            return lossSum / samples;
        }
    }

    /** Called after every round; may write a checkpoint or stop the run by throwing. */
    @FunctionalInterface
    public interface StepHook {
        void afterStep(int epoch, int steps, Progress progress) throws java.io.IOException;
    }

    /** Number of optimizer steps in an epoch over {@code rows} training rows. */
    public static int stepsPerEpoch(long rows, int batchSize) {
        return (int) Math.max(1, (rows + batchSize - 1) / batchSize);
    }

    /**
     * Number of rounds (Spark jobs) in an epoch of {@code steps} steps: {@code ⌈S_k / H⌉} summed over the chunks'
     * shares {@code S_k} of the steps.
     */
    public static int roundsPerEpoch(int steps, int chunks, int localSteps) {
        int rounds = 0;
        for (int step = 0; step < steps; step = roundEnd(step, steps, chunks, localSteps)) {
            rounds++;
        }
        return rounds;
    }

    /**
     * Runs the rounds of {@code epoch} from {@code progress.nextStep()} to its end, updating {@code params} and
     * {@code progress} in place, calling {@code hook} after each round.
     *
     * @param train cached, one {@link RowBlock} per partition
     * @throws DivergedException if a round's loss, gradient or update is not finite and the policy is to stop
     */
    public void trainEpoch(JavaRDD<RowBlock> train, long rows, int batchSize, int epoch, float[] params,
                           Progress progress, StepHook hook) throws java.io.IOException {
        int steps = stepsPerEpoch(rows, batchSize);
        long appliedBefore = progress.globalStep;
        long skippedBefore = progress.skipped;
        while (progress.nextStep < steps && !progress.targetReached) {
            int first = progress.nextStep;
            int end = roundEnd(first, steps, chunks, rounds.localSteps());
            long start = System.nanoTime();
            RoundResult result = rounds.localSteps() == 1 ? syncStep(train, params, epoch, first, steps, progress)
                    : localRound(train, params, epoch, first, end - first, steps, progress);
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
            hook.afterStep(epoch, steps, progress);
        }
        if (progress.globalStep == appliedBefore && progress.skipped > skippedBefore) {
            throw new DivergedException(String.format("training diverged: every step of epoch %d was skipped for a "
                    + "non-finite loss, gradient or update (try a smaller --lr, such as %s)", epoch, smallerLr()));
        }
    }

    /** A tenth of the configured learning rate, as the divergence message suggests it. */
    private String smallerLr() {
        return new java.math.BigDecimal(optimizerConfig.lr() / 10).round(new java.math.MathContext(2))
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

    /** One synchronous step ({@code H = 1}): the mean gradient of every partition's slice, applied on the driver. */
    private RoundResult syncStep(JavaRDD<RowBlock> train, float[] params, int epoch, int step, int steps,
                                 Progress progress) {
        StepResult result = gradientStep(train, params, epoch, step, steps);
        long updateStart = System.nanoTime();
        int n = net.numParams();
        double[] payload = result.payload();
        double count = payload[n + 1];
        String problem = null;
        if (count > 0) {
            // Kept to undo an update that overflows float32 even though its gradient was finite.
            boolean skip = onDivergence == TrainConfig.OnDivergence.SKIP;
            float[] paramsBefore = skip ? params.clone() : null;
            float[] stateBefore = skip ? optimizer.state().clone() : null;
            long t = progress.globalStep + 1;
            problem = update(net, optimizer, params, payload, count, optimizerConfig.clipNorm(), schedule.at(t), t);
            if (problem != null && skip) {
                System.arraycopy(paramsBefore, 0, params, 0, n);
                optimizer.restore(stateBefore);
            }
        }
        return new RoundResult(payload[n], count, problem, result.broadcastNanos(), result.jobNanos(),
                result.computeNanos(), updateStart);
    }

    /**
     * One optimizer step from a summed gradient payload, the same arithmetic on the driver ({@code H = 1}) and in a
     * partition ({@code H > 1}): divide by {@code count}, check, clip, step.
     *
     * @param payload {@code [gradient sum..., loss sum, count]}; its gradient becomes the mean (and is clipped)
     * @return null, or which value or parameter was not finite ({@code params} may then be partly updated)
     */
    private static String update(Network net, Optimizer optimizer, float[] params, double[] payload, double count,
                                 double clipNorm, double lr, long t) {
        String problem = toMeanIfFinite(net, payload, count);
        if (problem != null) {
            return problem;
        }
        clip(payload, net.numParams(), clipNorm);
        optimizer.step(params, payload, lr, t);
        return nonFiniteParameter(net, params);
    }

    /**
     * One round of {@code H > 1} local steps: every partition starts from the broadcast weights and optimizer state,
     * runs its slices of steps {@code [first, first + count)} as steps of its own, and the driver takes the
     * sample-weighted means (see the class comment).
     */
    private RoundResult localRound(JavaRDD<RowBlock> train, float[] params, int epoch, int first, int count,
                                   int steps, Progress progress) {
        Slicing slicing = slicing(train, epoch, first, steps);
        int n = net.numParams();
        float[] state = optimizer.state();
        float[] start = Arrays.copyOf(params, n + state.length);
        System.arraycopy(state, 0, start, n, state.length);
        double[] lrs = new double[count];
        for (int i = 0; i < count; i++) {
            lrs[i] = schedule.at(progress.globalStep + i + 1);
        }
        Network network = net;
        TrainConfig.OptimizerConfig inner = optimizerConfig;
        long runSeed = seed;
        long firstT = progress.globalStep + 1;
        int k = chunks;
        int chunk = slicing.chunk();
        int slots = slicing.slots();
        int localFirst = first - slicing.first();
        int chunkSteps = slicing.chunkSteps();
        Job job = broadcastJob(start, "epoch " + epoch + " " + describeRound(first, first + count) + "/" + steps,
                slots, weights -> slicing.blocks().mapPartitionsWithIndex(
                        (slot, it) -> partitionRound(network, inner, weights.value(), it, runSeed, epoch, slot,
                                slot * k + chunk, slots, localFirst, count, chunkSteps, lrs, firstT), false));
        OrderedSum sum = job.sum();
        long updateStart = System.nanoTime();
        double[] total = sum.total();
        int m = start.length;
        double loss = total[m];
        double samples = total[m + 1];
        String problem = sum.problem();
        if (problem == null && samples > 0) {
            problem = !Double.isFinite(loss) ? "loss sum is " + loss : averageInto(params, total, samples);
        }
        return new RoundResult(loss, samples, problem, job.broadcastNanos(), job.jobNanos(), sum.slowestNanos(),
                updateStart);
    }

    /**
     * The outer update from the summed {@code [n_p·weights..., n_p·state..., loss, count]}: the means replace the
     * weights and optimizer state (plain averaging), or with {@code --outer-momentum μ > 0} and {@code --outer-lr α},
     * {@code g = w − mean}, {@code u := μ·u + g}, {@code w := w − α·u} (Nesterov: {@code w := w − α·(g + μ·u)}).
     * Nothing is changed when a mean or a new weight is not finite.
     *
     * @return null, or which parameter was not finite
     */
    private String averageInto(float[] params, double[] total, double samples) {
        int n = params.length;
        float[] mean = new float[total.length - 2];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = (float) (total[i] / samples);
            if (!Float.isFinite(mean[i])) {
                return i < n ? "the averaged update made " + parameterName(net, i) + " " + mean[i]
                        : "the averaged optimizer state at " + (i - n) + " is " + mean[i];
            }
        }
        float[] next = Arrays.copyOf(mean, n);
        float[] velocity = outerVelocity.clone();
        if (velocity.length > 0 || rounds.outerLr() != 1) {
            double mu = rounds.outerMomentum();
            for (int i = 0; i < n; i++) {
                double g = (double) params[i] - mean[i];
                double u = mu * (velocity.length > 0 ? velocity[i] : 0) + g;
                if (velocity.length > 0) {
                    velocity[i] = (float) u;
                }
                next[i] = (float) (params[i] - rounds.outerLr() * (rounds.outerNesterov() ? g + mu * u : u));
            }
            String problem = nonFiniteParameter(net, next);
            if (problem != null) {
                return problem;
            }
        }
        System.arraycopy(next, 0, params, 0, n);
        System.arraycopy(velocity, 0, outerVelocity, 0, velocity.length);
        optimizer.restore(Arrays.copyOfRange(mean, n, mean.length));
        return null;
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
     * Which blocks a round reads and how they are sliced.
     *
     * @param blocks     the training RDD, pruned to the chunk's partitions
     * @param chunk      the chunk that the round reads
     * @param slots      partitions per chunk
     * @param first      the chunk's first step in the epoch
     * @param chunkSteps the chunk's number of steps
     */
    private record Slicing(JavaRDD<RowBlock> blocks, int chunk, int slots, int first, int chunkSteps) {
    }

    private Slicing slicing(JavaRDD<RowBlock> train, int epoch, int step, int steps) {
        if (train.getNumPartitions() % chunks != 0) {
            throw new IllegalArgumentException(train.getNumPartitions() + " partitions do not make " + chunks
                    + " equal chunks");
        }
        int slots = train.getNumPartitions() / chunks;
        // The chunk this step reads, the chunk's first step, and its number of steps.
        int position = chunkPosition(step, steps, chunks);
        int first = (int) ((long) position * steps / chunks);
        int chunkSteps = (int) ((long) (position + 1) * steps / chunks) - first;
        int chunk = chunks == 1 ? 0 : shuffledOrder(chunks, seed, epoch, -1)[position];
        int k = chunks;
        // The pruned RDD keeps its filter, so the filter ships with every task: a serializable lambda over locals.
        JavaRDD<RowBlock> blocks = k == 1 ? train : JavaRDD.fromRDD(PartitionPruningRDD.create(train.rdd(),
                (scala.Function1<Object, Object> & java.io.Serializable) i -> (Integer) i % k == chunk),
                train.classTag());
        return new Slicing(blocks, chunk, slots, first, chunkSteps);
    }

    /** The summed gradient payload of step {@code step} of {@code steps} in {@code epoch}, at {@code params}. */
    public StepResult gradientStep(JavaRDD<RowBlock> train, float[] params, int epoch, int step, int steps) {
        Slicing slicing = slicing(train, epoch, step, steps);
        Network network = net;
        long runSeed = seed;
        int k = chunks;
        int chunk = slicing.chunk();
        int slots = slicing.slots();
        int localStep = step - slicing.first();
        int chunkSteps = slicing.chunkSteps();
        Job job = broadcastJob(params, "epoch " + epoch + " step " + (step + 1) + "/" + steps, slots,
                weights -> slicing.blocks().mapPartitionsWithIndex(
                        (slot, it) -> partitionGradient(network, weights.value(), it, runSeed, epoch, slot,
                                slot * k + chunk, slots, localStep, chunkSteps), false));
        return new StepResult(job.sum().total(), job.broadcastNanos(), job.jobNanos(), job.sum().slowestNanos());
    }

    /**
     * A job's fixed-order sum and where its time went.
     *
     * @param broadcastNanos creating and destroying the broadcast, on the driver
     * @param jobNanos       the Spark job, from submission to the merged result
     */
    private record Job(OrderedSum sum, long broadcastNanos, long jobNanos) {
    }

    /**
     * The shape of every training job: broadcast {@code value}, run {@code tasks} over it (one {@link Partial} per
     * partition, {@code slots} of them) and add their payloads in {@link #aggregate}'s fixed order, then destroy the
     * broadcast whatever happened. The tasks' closure must capture locals only, never this trainer.
     */
    private Job broadcastJob(float[] value, String description, int slots,
                             Function<Broadcast<float[]>, JavaRDD<Partial>> tasks) {
        long start = System.nanoTime();
        Broadcast<float[]> broadcast = sc.broadcast(value);
        long jobStart = System.nanoTime();
        OrderedSum sum;
        long jobEnd;
        try {
            sc.setJobDescription(description);
            sum = aggregate(tasks.apply(broadcast), slots);
            jobEnd = System.nanoTime();
        } finally {
            broadcast.destroy();
        }
        return new Job(sum, (jobStart - start) + (System.nanoTime() - jobEnd), jobEnd - jobStart);
    }

    /**
     * The end (exclusive) of the round that starts at {@code step}: {@code H} steps on from the round grid that
     * starts at the step's chunk, cut at the chunk's end. Pure, so a resumed epoch has the same rounds.
     */
    static int roundEnd(int step, int steps, int chunks, int localSteps) {
        int position = chunkPosition(step, steps, chunks);
        int first = (int) ((long) position * steps / chunks);
        int chunkEnd = (int) ((long) (position + 1) * steps / chunks);
        long roundStart = first + (long) (step - first) / localSteps * localSteps;
        return (int) Math.min(chunkEnd, roundStart + localSteps);
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
     * One partition's result: float values (exactly what it computed, so shipping floats rather than doubles loses
     * nothing and halves the result), each to be multiplied by {@code weight} in double, with its loss sum, row
     * count, compute time and, if a local step failed, what was not finite.
     *
     * @param values gradient sum ({@code H = 1}, weight 1) or {@code [weights..., optimizer state...]} ({@code H > 1},
     *               weight = the round's row count)
     */
    record Partial(int partition, float[] values, double weight, double loss, double count, long nanos,
                   String problem) implements java.io.Serializable {

        /** {@code [weight·values..., loss sum, sample count]} in double, as {@link OrderedSum} adds it. */
        double[] payload() {
            int n = values.length;
            double[] payload = new double[n + 2];
            for (int i = 0; i < n; i++) {
                payload[i] = weight * values[i];
            }
            payload[n] = loss;
            payload[n + 1] = count;
            return payload;
        }

        OrderedSum toSum(int partitions) {
            return new OrderedSum(partitions).add(partition, payload(), nanos, problem);
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
                sum.add(p.partition(), p.payload(), p.nanos(), p.problem());
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
            int[] range = slice(rows.rows(), slot, slots, step, steps);
            int from = range[0];
            int to = range[1];
            if (to > from) {
                loss += net.accumulateGradient(params, rows, order, from, to - from, buffers.workspace(), grad);
                count += rows.weightSum(order, from, to - from);
            }
        }
        return List.of(new Partial(slot, grad, 1, loss, count, System.nanoTime() - start, null)).iterator();
    }

    /**
     * A partition's share of a round of local steps: from {@code start = [weights..., optimizer state...]}, one
     * optimizer step per slice of steps {@code [first, first + count)} of its chunk, with the same arithmetic as the
     * driver's synchronous update.
     *
     * @param lrs    the learning rate of each of the round's steps
     * @param firstT the 1-based update number of the round's first step (Adam's bias correction)
     */
    private static Iterator<Partial> partitionRound(Network net, TrainConfig.OptimizerConfig inner, float[] start,
                                                    Iterator<RowBlock> blocks, long seed, int epoch, int slot,
                                                    int block, int slots, int first, int count, int steps,
                                                    double[] lrs, long firstT) {
        long t0 = System.nanoTime();
        int n = net.numParams();
        float[] params = Arrays.copyOf(start, n);
        Optimizer optimizer = Optimizer.create(inner, n);
        optimizer.restore(Arrays.copyOfRange(start, n, start.length));
        List<RowBlock> rows = new java.util.ArrayList<>();
        blocks.forEachRemaining(rows::add);
        TaskBuffers buffers = TaskBuffers.of(net, MAX_CHUNK_ROWS);
        double[] mean = buffers.meanGradient();
        double loss = 0;
        double samples = 0;
        String problem = null;
        for (int i = 0; i < count && problem == null; i++) {
            float[] grad = buffers.zeroedGradient();
            double stepLoss = 0;
            double stepCount = 0;
            for (RowBlock r : rows) {
                int[] order = TaskBuffers.order(r.rows(), seed, epoch, block);
                int[] range = slice(r.rows(), slot, slots, first + i, steps);
                if (range[1] > range[0]) {
                    stepLoss += net.accumulateGradient(params, r, order, range[0], range[1] - range[0],
                            buffers.workspace(), grad);
                    stepCount += r.weightSum(order, range[0], range[1] - range[0]);
                }
            }
            if (stepCount == 0) {
                continue;
            }
            // The driver's synchronous update, fused: the same doubles, one pass fewer, and the weights checked once
            // at the round's end (a non-finite weight makes the next step's gradient non-finite anyway).
            problem = !Double.isFinite(stepLoss) ? "loss sum is " + stepLoss : toMeanIfFinite(net, grad, stepCount,
                    mean);
            if (problem == null) {
                clip(mean, n, inner.clipNorm());
                optimizer.step(params, mean, lrs[i], firstT + i);
                if (i == count - 1) {
                    problem = nonFiniteParameter(net, params);
                }
            }
            if (problem != null) {
                problem = "partition " + slot + ", local step " + (i + 1) + ": " + problem;
            }
            loss += stepLoss;
            samples += stepCount;
        }
        float[] state = optimizer.state();
        float[] values = Arrays.copyOf(params, n + state.length);
        System.arraycopy(state, 0, values, n, state.length);
        return List.of(new Partial(slot, values, samples, loss, samples, System.nanoTime() - t0, problem)).iterator();
    }

    /**
     * Positions {@code [from, to)} of a block's shuffled order that step {@code step} of {@code steps} takes:
     * partitions are staggered by a phase so that their rounding remainders fall in different steps.
     */
    private static int[] slice(int rows, int slot, int slots, int step, int steps) {
        long phase = (long) slot * steps / slots;
        return new int[] {(int) (((long) step * rows + phase) / steps), (int) (((long) (step + 1) * rows + phase) / steps)};
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

    /** As {@link #toMeanIfFinite(Network, double[], double)}, from a float gradient sum into {@code mean}. */
    private static String toMeanIfFinite(Network net, float[] gradSum, double count, double[] mean) {
        int n = gradSum.length;
        // Divide, then check: a division loop without a branch vectorises, and the check's branch is never taken. A
        // mean is finite exactly when its sum is (count ≥ 1).
        for (int i = 0; i < n; i++) {
            mean[i] = gradSum[i] / count;
        }
        int bad = firstNonFinite(mean, n);
        return bad < 0 ? null : "gradient of " + parameterName(net, bad) + " is " + gradSum[bad];
    }

    /** The first index below {@code n} whose value is NaN or infinite, or −1. */
    private static int firstNonFinite(double[] values, int n) {
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(values[i])) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Divides the payload's gradient sum by {@code count} in place once it is checked: null if the loss and gradient
     * are finite, otherwise which value and which parameter.
     */
    private static String toMeanIfFinite(Network net, double[] payload, double count) {
        int n = net.numParams();
        if (!Double.isFinite(payload[n])) {
            return "loss sum is " + payload[n];
        }
        int bad = firstNonFinite(payload, n);
        if (bad >= 0) {
            return "gradient of " + parameterName(net, bad) + " is " + payload[bad];
        }
        for (int i = 0; i < n; i++) {
            payload[i] /= count;
        }
        return null;
    }

    /** Null if every parameter is finite, otherwise the first one that is not. */
    private static String nonFiniteParameter(Network net, float[] params) {
        for (int i = 0; i < params.length; i++) {
            if (!Float.isFinite(params[i])) {
                return "the update made " + parameterName(net, i) + " " + params[i];
            }
        }
        return null;
    }

    /** E.g. {@code W2[3,7]} or {@code b1[4]}: the layer (1-based) and position of flat parameter {@code index}. */
    static String parameterName(Network net, int index) {
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
