package dev.sparknn.ops;

/**
 * Convolution of {@code filters} kernels of {@code size × size} over every channel, with {@code stride} and
 * zero {@code padding}: {@code [batch, C, H, W] → [batch, filters, OH, OW]}, {@code OH = (H + 2·padding − size) /
 * stride + 1} (rounded down), likewise {@code OW}. Its parameters, at {@code offset}: the kernels
 * {@code W [filters, C, size, size]}, then the biases {@code b [filters]} (ONNX's {@code Conv} layout).
 *
 * <p>As the book does it, each row is unfolded into a matrix of patches ({@link #im2col}, {@code col [OH·OW, C·size·size]}),
 * so that the convolution is one {@code sgemm} per row, {@code y_n [filters, OH·OW] = W · col_nᵀ + b}, already in
 * {@code [filters, OH, OW]} order. The backward pass unfolds the row again rather than keeping every row's
 * patches: {@code ∂W += dy_n · col_n}, {@code ∂col = dy_nᵀ · W}, folded back onto the input by {@link #col2im}.
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

    /** One row's patches and their gradient, {@code 2 × [OH·OW, C·size·size]}, whatever the batch. */
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
            Blas.gemm(false, true, filters, hw, patch(), 1f, params, offset, col, 0, 1f, y, n * out);
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
            Blas.gemm(false, false, filters, k, hw, 1f, dy, n * out, col, 0, add ? 1f : 0f, grad, offset);
            for (int f = 0; f < filters; f++) {
                float sum = 0f;
                for (int i = n * out + f * hw, end = i + hw; i < end; i++) {
                    sum += dy[i];
                }
                grad[b + f] = add ? grad[b + f] + sum : sum;
            }
            if (dx != null) {
                Blas.gemm(true, false, hw, k, filters, 1f, dy, n * out, params, offset, 0f, col, dcol);
                java.util.Arrays.fill(dx, n * in, (n + 1) * in, 0f);
                col2im(col, dcol, dx, n * in);
            }
        }
    }

    /**
     * {@code col[p, (c, ky, kx)] := x[c, oy·stride − padding + ky, ox·stride − padding + kx]} for each output position
     * {@code p = oy·OW + ox}, 0 outside the input.
     *
     * @param x   one row {@code [C, H, W]} at {@code xOff}
     * @param col {@code [OH·OW, C·size·size]}, overwritten
     */
    void im2col(float[] x, int xOff, float[] col) {
        Shape out = outShape();
        int h = inShape.height();
        int w = inShape.width();
        int j = 0;
        for (int oy = 0; oy < out.height(); oy++) {
            for (int ox = 0; ox < out.width(); ox++) {
                int x0 = ox * stride - padding;
                for (int c = 0; c < inShape.channels(); c++) {
                    for (int ky = 0; ky < size; ky++) {
                        int iy = oy * stride - padding + ky;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(col, j, j + size, 0f);
                            j += size;
                            continue;
                        }
                        int row = xOff + (c * h + iy) * w;
                        for (int kx = 0; kx < size; kx++) {
                            int ix = x0 + kx;
                            col[j++] = ix >= 0 && ix < w ? x[row + ix] : 0f;
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #im2col}: {@code dx[c, iy, ix] += dcol[p, (c, ky, kx)]} over every patch that read it. */
    void col2im(float[] col, int colOff, float[] dx, int dxOff) {
        Shape out = outShape();
        int h = inShape.height();
        int w = inShape.width();
        int j = colOff;
        for (int oy = 0; oy < out.height(); oy++) {
            for (int ox = 0; ox < out.width(); ox++) {
                int x0 = ox * stride - padding;
                for (int c = 0; c < inShape.channels(); c++) {
                    for (int ky = 0; ky < size; ky++) {
                        int iy = oy * stride - padding + ky;
                        if (iy < 0 || iy >= h) {
                            j += size;
                            continue;
                        }
                        int row = dxOff + (c * h + iy) * w;
                        for (int kx = 0; kx < size; kx++) {
                            int ix = x0 + kx;
                            if (ix >= 0 && ix < w) {
                                dx[row + ix] += col[j];
                            }
                            j++;
                        }
                    }
                }
            }
        }
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
