package dev.sparknn.ops;

/**
 * Scratch buffers for one network, allocated once per task and reused by every batch: the activations of
 * each layer, two ping-pong buffers for back-propagated deltas, and the batch's labels or regression targets. A batch larger than
 * {@link #capacity()} rows is processed in chunks of at most that many rows.
 */
public final class Workspace {

    final int capacity;
    /** {@code acts[0]} is the gathered input {@code [capacity, sizes[0]]}; {@code acts[i]} is layer i's output. */
    final float[][] acts;
    final float[] deltaA;
    final float[] deltaB;
    final int[] labels;
    /** {@code [capacity, outputs]}: the batch's regression targets. */
    final float[] targets;
    /** {@code [capacity]}: the batch's row weights, when its block has them. */
    final float[] weights;

    Workspace(int[] sizes, int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("workspace capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        acts = new float[sizes.length][];
        int maxWidth = 0;
        for (int i = 0; i < sizes.length; i++) {
            acts[i] = new float[capacity * sizes[i]];
            maxWidth = Math.max(maxWidth, sizes[i]);
        }
        deltaA = new float[capacity * maxWidth];
        deltaB = new float[capacity * maxWidth];
        labels = new int[capacity];
        targets = new float[capacity * sizes[sizes.length - 1]];
        weights = new float[capacity];
    }
}
