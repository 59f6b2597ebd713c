package dev.sparknn.ops;

import breeze.linalg.DenseMatrix;
import breeze.linalg.DenseVector;

/**
 * Fully connected layer {@code Y = X·W + b}, a view at {@code offset} into the network's flat parameter vector:
 * {@code W} is {@code [numIn, numOut]} row-major at {@code offset}, then {@code b} is {@code [numOut]}. The products
 * run on Breeze views of the parameters and the caller's buffers ({@link Blas}).
 *
 * @param numIn  input width
 * @param numOut output width
 * @param offset index of {@code W[0,0]} in the flat parameter (and gradient) vector
 */
public record Affine(int numIn, int numOut, int offset) implements java.io.Serializable {

    public Affine {
        if (numIn <= 0 || numOut <= 0 || offset < 0) {
            throw new IllegalArgumentException("affine layer needs positive sizes and offset >= 0, got numIn=" + numIn
                    + " numOut=" + numOut + " offset=" + offset);
        }
    }

    /** Number of parameters: {@code numIn·numOut} weights and {@code numOut} biases. */
    public int numParams() {
        return numIn * numOut + numOut;
    }

    /** Offset of {@code b} in the flat vector. */
    public int biasOffset() {
        return offset + numIn * numOut;
    }

    /** {@code W} of {@code params} (or of a gradient of the same layout), a view. */
    public DenseMatrix<Object> weights(float[] params) {
        return Blas.rowMajor(params, offset, numIn, numOut);
    }

    /** {@code b} of {@code params} (or of a gradient), a view. */
    public DenseVector<Object> bias(float[] params) {
        return Blas.vector(params, biasOffset(), numOut);
    }

    /**
     * Forward: {@code y := x·W + b}.
     *
     * @param x {@code [batch, numIn]}
     * @param y {@code [batch, numOut]}, overwritten
     */
    public void forward(float[] params, int batch, float[] x, float[] y) {
        DenseVector<Object> b = bias(params);
        for (int r = 0; r < batch; r++) {
            System.arraycopy(params, b.offset(), y, r * numOut, numOut);
        }
        Blas.gemm(1f, Blas.rowMajor(x, 0, batch, numIn), weights(params), 1f, Blas.rowMajor(y, 0, batch, numOut));
    }

    /**
     * Backward: {@code gradParams[W] += xᵀ·dy}, {@code gradParams[b] += Σ_rows dy}, and {@code dx := dy·Wᵀ}.
     *
     * @param x          {@code [batch, numIn]}, the input of the forward pass
     * @param dy         {@code [batch, numOut]}, ∂loss/∂y
     * @param dx         {@code [batch, numIn]}, overwritten with ∂loss/∂x; {@code null} to skip (first layer)
     * @param gradParams flat gradient vector, accumulated at this layer's offsets
     */
    public void backward(float[] params, int batch, float[] x, float[] dy, float[] dx, float[] gradParams) {
        DenseMatrix<Object> dyView = Blas.rowMajor(dy, 0, batch, numOut);
        Blas.gemm(1f, Blas.t(Blas.rowMajor(x, 0, batch, numIn)), dyView, 1f, weights(gradParams));
        int b = bias(gradParams).offset();
        for (int r = 0; r < batch; r++) {
            int row = r * numOut;
            for (int j = 0; j < numOut; j++) {
                gradParams[b + j] += dy[row + j];
            }
        }
        if (dx != null) {
            Blas.gemm(1f, dyView, Blas.t(weights(params)), 0f, Blas.rowMajor(dx, 0, batch, numIn));
        }
    }
}
