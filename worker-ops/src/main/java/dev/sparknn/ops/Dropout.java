package dev.sparknn.ops;

/**
 * Inverted dropout: in training, each value is kept with probability {@code 1 − rate} and scaled by
 * {@code 1 / (1 − rate)}, so that inference is the identity. The mask of a row is drawn from a counter-based
 * generator keyed by the training step ({@link Workspace#trainingStep}: seed, epoch, step, partition) and the row's
 * index in its block, so a run draws the same masks on any master, with any thread, and on a retried task.
 *
 * @param shape input and output shape
 * @param rate  the probability of dropping a value, in {@code [0, 1)}
 */
public record Dropout(Shape shape, double rate) implements Layer {

    public Dropout {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        }
    }

    @Override
    public Shape inShape() {
        return shape;
    }

    @Override
    public Shape outShape() {
        return shape;
    }

    /** {@code [capacity, shape]}: the mask, 0 or {@code 1 / (1 − rate)}. */
    @Override
    public long scratchFloats(int capacity) {
        return (long) capacity * shape.size();
    }

    @Override
    public void forward(float[] params, int batch, float[] x, float[] y, Workspace ws, int slot) {
        int n = batch * shape.size();
        if (!ws.training) {
            System.arraycopy(x, 0, y, 0, n);
            return;
        }
        float[] mask = ws.floats[slot];
        float keep = (float) (1 / (1 - rate));
        int width = shape.size();
        for (int r = 0; r < batch; r++) {
            long state = mix(ws.stepKey + mix(ws.rows[r] + 0x632BE59BD9B4E019L));
            for (int i = r * width, end = i + width; i < end; i++) {
                state += 0x9E3779B97F4A7C15L;
                double u = (mix(state) >>> 11) * 0x1.0p-53;
                mask[i] = u < rate ? 0f : keep;
                y[i] = x[i] * mask[i];
            }
        }
    }

    @Override
    public void backward(float[] params, int batch, float[] x, float[] y, float[] dy, float[] dx, float[] grad,
                         boolean accumulate, Workspace ws, int slot) {
        if (dx == null) {
            return;
        }
        int n = batch * shape.size();
        if (!ws.training) {
            System.arraycopy(dy, 0, dx, 0, n);
            return;
        }
        float[] mask = ws.floats[slot];
        for (int i = 0; i < n; i++) {
            dx[i] = dy[i] * mask[i];
        }
    }

    /** SplitMix64's finaliser: a bijection of 64-bit values whose outputs pass as independent uniform bits. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The key of one training step's masks, from what identifies the step wherever it runs. */
    public static long stepKey(long seed, int epoch, long step, int partition, int block) {
        long k = mix(seed + 0x9E3779B97F4A7C15L);
        k = mix(k + epoch);
        k = mix(k + step);
        k = mix(k + partition);
        return mix(k + block);
    }

    @Override
    public String toString() {
        return "dropout:" + rate;
    }
}
