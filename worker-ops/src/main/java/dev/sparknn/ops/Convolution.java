package dev.sparknn.ops;

/**
 * Convolution of {@code filters} kernels of {@code size × size} over every channel, with {@code stride} and
 * zero {@code padding}: {@code [batch, C, H, W] → [batch, filters, OH, OW]}, {@code OH = (H + 2·padding − size) /
 * stride + 1} (rounded down), likewise {@code OW}. Its parameters, at {@code offset}: the kernels
 * {@code W [filters, C, size, size]}, then the biases {@code b [filters]} (ONNX's {@code Conv} layout).
 *
 * <p>As the book does it, each row is unfolded into a matrix of patches ({@link #im2col}), so that the convolution
 * is one {@code sgemm} per row. The patches are stored transposed, {@code col [C·size·size, OH·OW]} (Caffe's layout
 * rather than the book's {@code [OH·OW, C·size·size]}): each of its rows is then a run of input pixels, copied a
 * whole output row at a time, and {@code y_n [filters, OH·OW] = W · col_n + b} comes out in {@code [filters, OH, OW]}
 * order without a transpose. The backward pass unfolds the row again rather than keeping every row's patches:
 * {@code ∂W += dy_n · col_nᵀ}, {@code ∂col = Wᵀ · dy_n}, folded back onto the input by {@link #col2im}.
 *
 * @param inShape {@code [C, H, W]}
 * @param offset  index of {@code W[0,0,0,0]} in the flat vector
 */
public record Convolution(Shape inShape, int filters, int size, int stride, int padding, int offset)
        implements Layer {

    public Convolution {
        if (filters <= 0 || size <= 0 || stride <= 0 || padding < 0 || offset < 0) {
            throw new IllegalArgumentException("convolution needs positive filters, size and stride and padding >= 0, "
                    + "got conv:" + filters + ":" + size + ":" + stride + ":" + padding);
        }
        if (inShape.height() + 2 * padding < size || inShape.width() + 2 * padding < size) {
            throw new IllegalArgumentException("a " + size + "x" + size + " kernel with padding " + padding
                    + " does not fit an input of [channels, height, width] = " + inShape);
        }
    }

    @Override
    public Shape outShape() {
        return new Shape(filters, (inShape.height() + 2 * padding - size) / stride + 1,
                (inShape.width() + 2 * padding - size) / stride + 1);
    }

    /** Values in one kernel, {@code C·size·size}. */
    public int patch() {
        return inShape.channels() * size * size;
    }

    /** Index of {@code b[0]} in the flat vector. */
    public int biasOffset() {
        return offset + filters * patch();
    }

    @Override
    public int numParams() {
        return filters * patch() + filters;
    }

    private int positions() {
        Shape out = outShape();
        return out.height() * out.width();
    }

    /** One row's patches and their gradient, {@code 2 × [C·size·size, OH·OW]}, whatever the batch. */
    @Override
    public long scratchFloats(int capacity) {
        return 2L * positions() * patch();
    }

    @Override
    public void forward(float[] params, int batch, float[] x, float[] y, Workspace ws, int slot) {
        float[] col = ws.floats[slot];
        int in = inShape.size();
        int hw = positions();
        int out = filters * hw;
        int b = biasOffset();
        for (int n = 0; n < batch; n++) {
            im2col(x, n * in, col);
            for (int f = 0; f < filters; f++) {
                java.util.Arrays.fill(y, n * out + f * hw, n * out + (f + 1) * hw, params[b + f]);
            }
            Blas.gemm(false, false, filters, hw, patch(), 1f, params, offset, col, 0, 1f, y, n * out);
        }
    }

    @Override
    public void backward(float[] params, int batch, float[] x, float[] y, float[] dy, float[] dx, float[] grad,
                         boolean accumulate, Workspace ws, int slot) {
        float[] col = ws.floats[slot];
        int k = patch();
        int hw = positions();
        int dcol = hw * k;
        int in = inShape.size();
        int out = filters * hw;
        int b = biasOffset();
        for (int n = 0; n < batch; n++) {
            boolean add = accumulate || n > 0;
            im2col(x, n * in, col);
            Blas.gemm(false, true, filters, k, hw, 1f, dy, n * out, col, 0, add ? 1f : 0f, grad, offset);
            for (int f = 0; f < filters; f++) {
                float sum = sum(dy, n * out + f * hw, hw);
                grad[b + f] = add ? grad[b + f] + sum : sum;
            }
            if (dx != null) {
                Blas.gemm(true, false, k, hw, filters, 1f, params, offset, dy, n * out, 0f, col, dcol);
                java.util.Arrays.fill(dx, n * in, (n + 1) * in, 0f);
                col2im(col, dcol, dx, n * in);
            }
        }
    }

    /**
     * {@code Σ a[from … from+len)} in eight interleaved partial sums, added pairwise at the end: a fixed order (so the
     * same on every run), and eight independent additions in flight rather than one chain.
     */
    static float sum(float[] a, int from, int len) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
        int i = from;
        for (int end = from + (len & ~7); i < end; i += 8) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
            s4 += a[i + 4];
            s5 += a[i + 5];
            s6 += a[i + 6];
            s7 += a[i + 7];
        }
        for (int end = from + len; i < end; i++) {
            s0 += a[i];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /**
     * {@code col[(c, ky, kx), oy·OW + ox] := x[c, oy·stride − padding + ky, ox·stride − padding + kx]}, 0 outside the
     * input: each of {@code col}'s rows holds one kernel tap's input pixel at every output position.
     *
     * @param x   one row {@code [C, H, W]} at {@code xOff}
     * @param col {@code [C·size·size, OH·OW]}, overwritten
     */
    void im2col(float[] x, int xOff, float[] col) {
        Shape out = outShape();
        int oh = out.height();
        int ow = out.width();
        int h = inShape.height();
        int w = inShape.width();
        int j = 0;
        for (int c = 0; c < inShape.channels(); c++) {
            for (int ky = 0; ky < size; ky++) {
                for (int kx = 0; kx < size; kx++) {
                    // Output columns [lo, hi) read inside the input row; the rest read padding.
                    int lo = Math.min(ow, ceilDiv(Math.max(0, padding - kx), stride));
                    int hi = Math.max(lo, Math.min(ow, ceilDiv(w + padding - kx, stride)));
                    for (int oy = 0; oy < oh; oy++, j += ow) {
                        int iy = oy * stride - padding + ky;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(col, j, j + ow, 0f);
                            continue;
                        }
                        java.util.Arrays.fill(col, j, j + lo, 0f);
                        int from = xOff + (c * h + iy) * w + lo * stride - padding + kx;
                        if (stride == 1) {
                            System.arraycopy(x, from, col, j + lo, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++, from += stride) {
                                col[j + ox] = x[from];
                            }
                        }
                        java.util.Arrays.fill(col, j + hi, j + ow, 0f);
                    }
                }
            }
        }
    }

    /**
     * The adjoint of {@link #im2col}: {@code dx[c, iy, ix] += dcol[(c, ky, kx), p]} over every output position
     * {@code p} whose patch read it.
     *
     * @param col {@code [C·size·size, OH·OW]} at {@code colOff}
     * @param dx  one row {@code [C, H, W]} at {@code dxOff}, accumulated into
     */
    void col2im(float[] col, int colOff, float[] dx, int dxOff) {
        Shape out = outShape();
        int oh = out.height();
        int ow = out.width();
        int h = inShape.height();
        int w = inShape.width();
        int j = colOff;
        for (int c = 0; c < inShape.channels(); c++) {
            for (int ky = 0; ky < size; ky++) {
                for (int kx = 0; kx < size; kx++) {
                    int lo = Math.min(ow, ceilDiv(Math.max(0, padding - kx), stride));
                    int hi = Math.max(lo, Math.min(ow, ceilDiv(w + padding - kx, stride)));
                    for (int oy = 0; oy < oh; oy++, j += ow) {
                        int iy = oy * stride - padding + ky;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int to = dxOff + (c * h + iy) * w - padding + kx;
                        if (stride == 1) {
                            for (int ox = lo; ox < hi; ox++) {
                                dx[to + ox] += col[j + ox];
                            }
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                dx[to + ox * stride] += col[j + ox];
                            }
                        }
                    }
                }
            }
        }
    }

    /** {@code ⌈a / b⌉} for {@code a ≥ 0}, {@code b > 0}; 0 for {@code a ≤ 0}. */
    private static int ceilDiv(int a, int b) {
        return a <= 0 ? 0 : (a + b - 1) / b;
    }

    @Override
    public String parameterName(int index, int number) {
        if (index < biasOffset()) {
            int i = index - offset;
            int ss = size * size;
            return String.format("W%d[%d,%d,%d,%d] (layer %d kernels)", number, i / patch(), i % patch() / ss,
                    i % ss / size, i % size, number);
        }
        return String.format("b%d[%d] (layer %d biases)", number, index - biasOffset(), number);
    }

    @Override
    public String toString() {
        return "conv:" + filters + ":" + size + ":" + stride + ":" + padding;
    }
}
