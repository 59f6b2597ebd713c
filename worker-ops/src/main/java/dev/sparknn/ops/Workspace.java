package dev.sparknn.ops;

/**
 * Scratch buffers for one network, allocated once per task and reused by every batch: each layer's output (a layer
 * running in place shares its input's), two ping-pong buffers for back-propagated deltas, each layer's own scratch
 * (what its forward pass keeps for its backward pass), and the batch's labels or regression targets. A batch larger
 * than {@link #capacity()} rows is processed in chunks of at most that many rows.
 */
public final class Workspace {

    final int capacity;
    /** {@code acts[0]} is the gathered input {@code [capacity, input]}; {@code acts[i+1]} is layer i's output. */
    final float[][] acts;
    final float[] deltaA;
    final float[] deltaB;
    /** Per layer: its float and int scratch ({@link Layer#scratchFloats}, {@link Layer#scratchInts}). */
    final float[][] floats;
    final int[][] ints;
    final int[] labels;
    /** {@code [capacity, outputs]}: the batch's regression targets. */
    final float[] targets;
    /** {@code [capacity]}: the batch's row weights, when its block has them. */
    final float[] weights;
    /** {@code [capacity]}: each batch row's index in its block, which keys its dropout mask. */
    final int[] rows;
    /** Training (batch statistics, dropout) or inference; set by the pass. */
    boolean training;
    /** The current training step's dropout key ({@link #trainingStep}). */
    long stepKey;
    /** The current chunk's summed row weights (its row count without weights), which weigh running statistics. */
    double chunkWeight;

    Workspace(Network net, int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("workspace capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        Layer[] layers = net.layerArray();
        acts = new float[layers.length + 1][];
        floats = new float[layers.length][];
        ints = new int[layers.length][];
        acts[0] = new float[size(capacity, net.inputShape())];
        int maxWidth = net.inputShape().size();
        for (int i = 0; i < layers.length; i++) {
            acts[i + 1] = net.runsInPlace(i) ? acts[i] : new float[size(capacity, layers[i].outShape())];
            maxWidth = Math.max(maxWidth, layers[i].outShape().size());
            floats[i] = new float[Math.toIntExact(layers[i].scratchFloats(capacity))];
            ints[i] = new int[Math.toIntExact(layers[i].scratchInts(capacity))];
        }
        deltaA = new float[Math.multiplyExact(capacity, maxWidth)];
        deltaB = new float[Math.multiplyExact(capacity, maxWidth)];
        labels = new int[capacity];
        targets = new float[capacity * net.numOutputs()];
        weights = new float[capacity];
        rows = new int[capacity];
    }

    /**
     * Bytes of the arrays a workspace of {@code capacity} rows for {@code net} holds (as its constructor allocates
     * them, without object headers): for sizing chunks to a memory budget.
     */
    static long bytes(Network net, int capacity) {
        Layer[] layers = net.layerArray();
        long floats = (long) capacity * net.inputShape().size();
        long ints = 0;
        int maxWidth = net.inputShape().size();
        for (int i = 0; i < layers.length; i++) {
            floats += net.runsInPlace(i) ? 0 : (long) capacity * layers[i].outShape().size();
            maxWidth = Math.max(maxWidth, layers[i].outShape().size());
            floats += layers[i].scratchFloats(capacity);
            ints += layers[i].scratchInts(capacity);
        }
        floats += 2L * capacity * maxWidth + (long) capacity * net.numOutputs() + capacity;
        ints += 2L * capacity;
        return 4 * (floats + ints);
    }

    private static int size(int capacity, Shape shape) {
        return Math.multiplyExact(capacity, shape.size());
    }

    public int capacity() {
        return capacity;
    }

    /**
     * Keys the dropout masks of the training passes that follow ({@link Dropout#stepKey}): call before each
     * training step's gradient, once per row block.
     */
    public void trainingStep(long key) {
        stepKey = key;
    }
}
