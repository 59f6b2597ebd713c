package dev.sparknn.ops;

/**
 * Max pooling over {@code size × size} windows moved by {@code stride}, channel by channel:
 * {@code [batch, C, H, W] → [batch, C, OH, OW]}, {@code OH = (H − size) / stride + 1} (rounded down), likewise
 * {@code OW}. The forward pass keeps where each maximum was (the first, on ties); the backward pass routes each
 * output's gradient there. No parameters.
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
        int h = inShape.height();
        int w = inShape.width();
        int in = inShape.size();
        int o = 0;
        for (int n = 0; n < batch; n++) {
            int base = n * in;
            for (int c = 0; c < inShape.channels(); c++) {
                int plane = c * h * w;
                for (int oy = 0; oy < out.height(); oy++) {
                    for (int ox = 0; ox < out.width(); ox++) {
                        int best = plane + oy * stride * w + ox * stride;
                        float max = x[base + best];
                        for (int ky = 0; ky < size; ky++) {
                            int row = plane + (oy * stride + ky) * w + ox * stride;
                            for (int kx = 0; kx < size; kx++) {
                                float v = x[base + row + kx];
                                // Selects rather than a branch: which value wins is data, and mispredicted often.
                                boolean larger = v > max;
                                max = larger ? v : max;
                                best = larger ? row + kx : best;
                            }
                        }
                        y[o] = max;
                        argMax[o++] = best;
                    }
                }
            }
        }
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
