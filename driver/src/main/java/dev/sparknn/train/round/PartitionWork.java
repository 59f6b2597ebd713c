package dev.sparknn.train.round;

import dev.sparknn.ops.Dropout;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.train.Optimizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * A partition's share of a round, inside its Spark task: for each of the round's steps, the forward and backward
 * pass over its slice of the step's global batch ({@link RoundTask#slice}), then
 * <ul>
 *   <li>with local updates ({@code H > 1}): an optimizer step of its own from the broadcast
 *       {@code [weights..., optimizer state...]}, with the driver's synchronous arithmetic ({@link MeanGradient});
 *       it returns its weights and optimizer state, to be weighted by its sample count;</li>
 *   <li>without ({@code H = 1}): nothing more; it returns the step's gradient sum, and the driver steps.</li>
 * </ul>
 * Scratch memory comes from {@link TaskBuffers}, so a round allocates nothing in proportion to the data.
 */
final class PartitionWork {

    private PartitionWork() {
    }

    /**
     * @param start the broadcast: the weights ({@code H = 1}) or {@code [weights..., optimizer state...]}
     * @param slot  this partition's place among the round's {@code task.slots()} partitions
     * @return one {@link Partial}
     */
    static Iterator<Partial> run(RoundTask task, float[] start, int slot, Iterator<RowBlock> blocks) {
        long t0 = System.nanoTime();
        List<RowBlock> rows = new ArrayList<>();
        blocks.forEachRemaining(rows::add);
        TaskBuffers buffers = TaskBuffers.of(task.net(), chunkRows(task, slot, rows));
        Partial result = task.localUpdates() ? localSteps(task, start, slot, rows, buffers, t0)
                : gradient(task, start, slot, rows, buffers, t0);
        return List.of(result).iterator();
    }

    /**
     * Rows the workspace must hold: the largest slice of this partition's blocks over the round's steps, at most
     * {@link RoundEngine#MAX_CHUNK_ROWS}. A pass processes a slice in chunks of the workspace's capacity, and any
     * capacity from this up to that maximum cuts every slice into the same chunks (one chunk below the maximum), so the
     * results do not depend on it; the scratch memory then follows a step's slice rather than the 1,024 rows of the
     * maximum (252 MB per task for SimpleConvNet, against 12 MB for its slices of 50 rows).
     */
    static int chunkRows(RoundTask task, int slot, List<RowBlock> rows) {
        int most = 1;
        for (RowBlock r : rows) {
            for (int i = 0; i < task.count(); i++) {
                int[] range = task.slice(r.rows(), slot, i);
                most = Math.max(most, range[1] - range[0]);
            }
        }
        return Math.min(most, RoundEngine.MAX_CHUNK_ROWS);
    }

    private static Partial gradient(RoundTask task, float[] params, int slot, List<RowBlock> rows,
                                    TaskBuffers buffers, long t0) {
        float[] grad = buffers.gradient();
        double[] sums = gradient(task, params, slot, rows, 0, buffers, grad);
        return new Partial(slot, new PackedFloats(grad), 1, sums[0], sums[1], System.nanoTime() - t0, null);
    }

    private static Partial localSteps(RoundTask task, float[] start, int slot, List<RowBlock> rows,
                                      TaskBuffers buffers, long t0) {
        Network net = task.net();
        int n = net.numParams();
        float[] params = Arrays.copyOf(start, n);
        Optimizer optimizer = Optimizer.create(task.optimizer(), n);
        optimizer.restore(Arrays.copyOfRange(start, n, start.length));
        float[] grad = buffers.gradient();
        double loss = 0;
        double samples = 0;
        String problem = null;
        for (int i = 0; i < task.count() && problem == null; i++) {
            double[] sums = gradient(task, params, slot, rows, i, buffers, grad);
            if (sums[1] == 0) {
                continue;
            }
            problem = MeanGradient.nonFiniteLoss(sums[0]);
            if (problem == null) {
                MeanGradient.step(net, optimizer, params, grad, sums[1], task.optimizer().clipNorm(), task.lrs()[i],
                        task.firstUpdate() + i);
                // Checked once, at the round's end, rather than every step's gradient: a non-finite gradient makes
                // its weight non-finite, and a non-finite weight stays so (and makes the next step's loss so).
                if (i == task.count() - 1) {
                    problem = MeanGradient.nonFiniteParameter(net, params);
                }
            }
            if (problem != null) {
                problem = "partition " + slot + ", local step " + (i + 1) + ": " + problem;
            }
            loss += sums[0];
            samples += sums[1];
        }
        float[] state = optimizer.state();
        float[] values = Arrays.copyOf(params, n + state.length);
        System.arraycopy(state, 0, values, n, state.length);
        return new Partial(slot, new PackedFloats(values), samples, loss, samples, System.nanoTime() - t0, problem);
    }

    /**
     * {@code grad := } the gradient sum over this partition's slice of local step {@code i} (zero if it is empty).
     *
     * @return {@code [loss sum, sample count]} of the slice
     */
    private static double[] gradient(RoundTask task, float[] params, int slot, List<RowBlock> rows, int i,
                                     TaskBuffers buffers, float[] grad) {
        double loss = 0;
        double count = 0;
        boolean written = false;
        for (int b = 0; b < rows.size(); b++) {
            RowBlock r = rows.get(b);
            int[] order = TaskBuffers.order(r.rows(), task.seed(), task.epoch(), task.block(slot));
            int[] range = task.slice(r.rows(), slot, i);
            int n = range[1] - range[0];
            if (n > 0) {
                Network net = task.net();
                // Dropout's masks: the same for this step's rows wherever and however often it runs.
                buffers.workspace().trainingStep(Dropout.stepKey(task.seed(), task.epoch(), task.firstUpdate() + i,
                        task.block(slot), b));
                loss += written ? net.accumulateGradient(params, r, order, range[0], n, buffers.workspace(), grad)
                        : net.gradient(params, r, order, range[0], n, buffers.workspace(), grad);
                count += r.weightSum(order, range[0], n);
                written = true;
            }
        }
        if (!written) {
            Arrays.fill(grad, 0f);
        }
        return new double[] {loss, count};
    }
}
