package dev.sparknn.ops;

/**
 * Fully connected layer {@code Y = X·W + b}, a view at {@code offset} into the network's flat parameter vector:
 * {@code W} is {@code [numIn, numOut]} row-major at {@code offset}, then {@code b} is {@code [numOut]}. The products
 * are single {@code sgemm} calls on the parameters' and the caller's arrays at their offsets ({@link Blas}).
 *
 * @param numIn  input width
 * @param numOut output width
 * @param offset index of {@code W[0,0]} in the flat parameter (and gradient) vector
 */
public record Affine(int numIn, int numOut, int offset) implements Layer {

    public Affine {
        if (numIn <= 0 || numOut <= 0 || offset < 0) {
            throw new IllegalArgumentException("affine layer needs positive sizes and offset >= 0, got numIn=" + numIn
                    + " numOut=" + numOut + " offset=" + offset);
        }
    }

    /** {@code [numIn]}: a previous layer's {@code [channels, height, width]} output is read flattened. */
    @Override
    public Shape inShape() {
        return Shape.flat(numIn);
    }

    @Override
    public Shape outShape() {
        return Shape.flat(numOut);
    }

    /** Number of parameters: {@code numIn·numOut} weights and {@code numOut} biases. */
    @Override
    public int numParams() {
        return numIn * numOut + numOut;
    }

    /** Offset of {@code b} in the flat vector. */
    public int biasOffset() {
        return offset + numIn * numOut;
    }

    /**
     * Forward: {@code y := x·W + b}.
     *
     * @param x {@code [batch, numIn]}
     * @param y {@code [batch, numOut]}, overwritten
     */
    public void forward(float[] params, int batch, float[] x, float[] y) {
        for (int r = 0; r < batch; r++) {
            System.arraycopy(params, biasOffset(), y, r * numOut, numOut);
        }
        Blas.gemm(false, false, batch, numOut, numIn, 1f, x, 0, params, offset, 1f, y, 0);
    }

    /**
     * Backward: {@code gradParams[W] (+)= xᵀ·dy}, {@code gradParams[b] (+)= Σ_rows dy}, and {@code dx := dy·Wᵀ}.
     *
     * @param x          {@code [batch, numIn]}, the input of the forward pass
     * @param dy         {@code [batch, numOut]}, ∂loss/∂y
     * @param dx         {@code [batch, numIn]}, overwritten with ∂loss/∂x; {@code null} to skip (first layer)
     * @param gradParams flat gradient vector: this layer's entries are accumulated into, or with {@code accumulate}
     *                   false overwritten (no zeroing pass needed before)
     */
    public void backward(float[] params, int batch, float[] x, float[] dy, float[] dx, float[] gradParams,
                         boolean accumulate) {
        Blas.gemm(true, false, numIn, numOut, batch, 1f, x, 0, dy, 0, accumulate ? 1f : 0f, gradParams, offset);
        int b = biasOffset();
        int first = 0;
        if (!accumulate) {
            System.arraycopy(dy, 0, gradParams, b, numOut);
            first = 1;
        }
        for (int r = first; r < batch; r++) {
            int row = r * numOut;
            for (int j = 0; j < numOut; j++) {
                gradParams[b + j] += dy[row + j];
            }
        }
        if (dx != null) {
            Blas.gemm(false, true, batch, numIn, numOut, 1f, dy, 0, params, offset, 0f, dx, 0);
        }
    }

    @Override
    public void forward(float[] params, int batch, float[] x, float[] y, Workspace ws, int slot) {
        forward(params, batch, x, y);
    }

    @Override
    public void backward(float[] params, int batch, float[] x, float[] y, float[] dy, float[] dx, float[] grad,
                         boolean accumulate, Workspace ws, int slot) {
        backward(params, batch, x, dy, dx, grad, accumulate);
    }

    @Override
    public String parameterName(int index, int number) {
        if (index < biasOffset()) {
            int w = index - offset;
            return String.format("W%d[%d,%d] (layer %d weights)", number, w / numOut, w % numOut, number);
        }
        return String.format("b%d[%d] (layer %d biases)", number, index - biasOffset(), number);
    }

    @Override
    public String toString() {
        return "affine:" + numOut;
    }
}
