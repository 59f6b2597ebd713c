package dev.sparknn.train.round;

import dev.sparknn.ops.Network;
import dev.sparknn.ops.Workspace;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Executor-side buffers reused from one training step's task to the next, so that a step allocates nothing in
 * proportion to the model or the data: per task thread, a gradient array and a {@link Workspace}; per
 * (seed, epoch, partition), the shuffled row order, which every step of an epoch reads.
 *
 * <p>A task's gradient may be reused by the next task on its thread only because Spark serialises a task's
 * result before the task ends.
 */
final class TaskBuffers {

    private static final ThreadLocal<TaskBuffers> PER_THREAD = new ThreadLocal<>();
    /** Orders of the current epoch only; a new epoch's first task evicts the previous epoch's. */
    private static final Map<OrderKey, int[]> ORDERS = new ConcurrentHashMap<>();

    private final String layers;
    private final int capacity;
    private final float[] grad;
    private final Workspace workspace;

    private TaskBuffers(Network net, int capacity) {
        this.layers = net.spelling();
        this.capacity = capacity;
        this.grad = new float[net.numParams()];
        this.workspace = net.newWorkspace(capacity);
    }

    /**
     * This thread's buffers for {@code net} with a workspace of at least {@code capacity} rows: replaced when the
     * network's shape changes or the workspace is smaller, kept when it is larger (a round of shorter slices, such as
     * an epoch's last, then reuses it rather than allocating again).
     */
    static TaskBuffers of(Network net, int capacity) {
        TaskBuffers b = PER_THREAD.get();
        if (b == null || b.capacity < capacity || !b.layers.equals(net.spelling())) {
            b = new TaskBuffers(net, capacity);
            PER_THREAD.set(b);
        }
        return b;
    }

    /** The {@code [numParams]} gradient array; its contents are the caller's to overwrite. */
    float[] gradient() {
        return grad;
    }

    Workspace workspace() {
        return workspace;
    }

    private record OrderKey(int rows, long seed, int epoch, int partition) {
    }

    /** {@link RoundPlan#shuffledOrder}, computed once per epoch and partition; callers must not modify it. */
    static int[] order(int rows, long seed, int epoch, int partition) {
        OrderKey key = new OrderKey(rows, seed, epoch, partition);
        int[] order = ORDERS.get(key);
        if (order == null) {
            ORDERS.keySet().removeIf(k -> k.epoch() != epoch);
            order = RoundPlan.shuffledOrder(rows, seed, epoch, partition);
            ORDERS.put(key, order);
        }
        return order;
    }
}
