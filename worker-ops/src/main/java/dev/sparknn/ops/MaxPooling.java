package dev.sparknn.ops;

/**
 * Max pooling over {@code size × size} windows moved by {@code stride}, channel by channel:
 * {@code [batch, C, H, W] → [batch, C, OH, OW]}, {@code OH = (H − size) / stride + 1} (rounded down), likewise
 * {@code OW}. The forward pass keeps where each maximum was (the first, on ties; {@code −0} equals {@code +0}); the
 * backward pass routes each output's gradient there. No parameters.
 *
 * @param inShape {@code [C, H, W]}
 */
public record MaxPooling(Shape inShape, int size, int stride) implements Layer {

    public MaxPooling {
        if (size <= 0 || stride <= 0) {
            throw new IllegalArgumentException("max pooling needs a positive size and stride, got maxpool:" + size
                    + ":" + stride);
        }
        if (inShape.height() < size || inShape.width() < size) {
            throw new IllegalArgumentException("a " + size + "x" + size + " window does not fit an input of "
                    + "[channels, height, width] = " + inShape);
        }
    }

    @Override
    public Shape outShape() {
        return new Shape(inShape.channels(), (inShape.height() - size) / stride + 1,
                (inShape.width() - size) / stride + 1);
    }

    /** {@code [capacity, C, OH, OW]}: the index within its row of each output's maximum. */
    @Override
    public long scratchInts(int capacity) {
        return (long) capacity * outShape().size();
    }

    @Override
    public void forward(float[] params, int batch, float[] x, float[] y, Workspace ws, int slot) {
        int[] argMax = ws.ints[slot];
        Shape out = outShape();
        int oh = out.height();
        int ow = out.width();
        int w = inShape.width();
        int plane = inShape.height() * w;
        int channels = inShape.channels();
        int o = 0;
        for (int p = 0, planes = batch * channels; p < planes; p++) {
            // Plane p of the batch starts at p·H·W; argMax counts from the start of its row.
            int rowStart = p / channels * inShape.size();
            for (int oy = 0; oy < oh; oy++) {
                int top = p * plane + oy * stride * w;
                if (size == 2) {
                    o = forward2(x, top, w, ow, rowStart, y, argMax, o);
                    continue;
                }
                for (int ox = 0; ox < ow; ox++, o++) {
                    int corner = top + ox * stride;
                    int best = corner;
                    int max = key(x[corner]);
                    for (int ky = 0; ky < size; ky++) {
                        for (int i = corner + ky * w, end = i + size; i < end; i++) {
                            int v = key(x[i]);
                            int larger = greater(v, max);
                            max += (v - max) & -larger;
                            best += (i - best) & -larger;
                        }
                    }
                    y[o] = x[best];
                    argMax[o] = best - rowStart;
                }
            }
        }
    }

    /**
     * An int that orders as the float {@code v} does ({@code −0} as {@code +0}; a NaN above {@code +∞} or below
     * {@code −∞}, by its sign bit), so that a window's maximum is found with integer arithmetic alone: the JIT turns
     * float comparisons into branches, which the data mispredicts about half of the time.
     */
    private static int key(float v) {
        int bits = Float.floatToRawIntBits(v + 0f);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /** 1 if {@code a > b}, else 0, without a branch. */
    private static int greater(int a, int b) {
        return (int) (((long) b - a) >>> 63);
    }

    /**
     * One output row of 2x2 windows ({@code size} 2, any stride) from the window row at {@code x[top]}: the larger of
     * the upper pair, of the lower pair, then of the two, each keeping the earlier on ties (so the first maximum in
     * reading order, as the general loop), with masks instead of selects ({@code a + ((b − a) & −1) = b}, exact in
     * wrapping int arithmetic).
     *
     * @return the output index after the row
     */
    private int forward2(float[] x, int top, int w, int ow, int rowStart, float[] y, int[] argMax, int o) {
        for (int ox = 0, i = top; ox < ow; ox++, o++, i += stride) {
            int a = key(x[i]);
            int b = key(x[i + 1]);
            int c = key(x[i + w]);
            int d = key(x[i + w + 1]);
            int right = greater(b, a);
            int lowerRight = greater(d, c);
            int upper = a + ((b - a) & -right);
            int lower = c + ((d - c) & -lowerRight);
            int upperAt = i + right;
            int lowerAt = i + w + lowerRight;
            int at = upperAt + ((lowerAt - upperAt) & -greater(lower, upper));
            y[o] = x[at];
            argMax[o] = at - rowStart;
        }
        return o;
    }

    @Override
    public void backward(float[] params, int batch, float[] x, float[] y, float[] dy, float[] dx, float[] grad,
                         boolean accumulate, Workspace ws, int slot) {
        if (dx == null) {
            return;
        }
        int[] argMax = ws.ints[slot];
        int in = inShape.size();
        int out = outShape().size();
        java.util.Arrays.fill(dx, 0, batch * in, 0f);
        for (int n = 0; n < batch; n++) {
            for (int i = n * out, end = i + out; i < end; i++) {
                dx[n * in + argMax[i]] += dy[i];
            }
        }
    }

    @Override
    public String toString() {
        return "maxpool:" + size + ":" + stride;
    }
}
