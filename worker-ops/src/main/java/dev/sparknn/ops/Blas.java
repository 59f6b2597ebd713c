package dev.sparknn.ops;

import breeze.linalg.DenseMatrix;
import dev.ludovic.netlib.blas.BLAS;

/**
 * float32 matrices as Breeze views, and their products on {@code dev.ludovic.netlib} BLAS: native OpenBLAS when the
 * machine has {@code libblas.so.3}, otherwise the JDK's vectorised Java BLAS (needs
 * {@code --add-modules jdk.incubator.vector}), otherwise plain Java.
 *
 * <p>A view is a Breeze {@link DenseMatrix} over an existing array: the network's flat parameter vector, a gradient,
 * or a workspace buffer, at an offset, with a major stride and a transpose flag; nothing is copied. Products go
 * straight to BLAS's {@code sgemm} on the views' arrays, offsets and strides, as Spark's own {@code ml/ann} does
 * ({@code BreezeUtil.dgemm}), rather than through Breeze's operators, which allocate their result.
 *
 * <p>Our matrices are row-major: {@code [rows, cols]} with row {@code r} at {@code offset + r·cols}. Breeze (like
 * BLAS) is column-major, and a row-major matrix is Breeze's transposed layout ({@code isTranspose = true}).
 */
public final class Blas {

    /**
     * netlib warns through java.util.logging whenever native BLAS is missing, on every JVM; the driver's start-up
     * line already names the implementation in use, so only its errors are kept. Held here so the setting stays.
     */
    private static final java.util.logging.Logger NETLIB_LOG = quietNetlib();
    private static final BLAS BLAS_INSTANCE = BLAS.getInstance();

    private static java.util.logging.Logger quietNetlib() {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("dev.ludovic.netlib");
        log.setLevel(java.util.logging.Level.SEVERE);
        return log;
    }

    private Blas() {
    }

    /** The implementation in use, e.g. {@code JNIBLAS} (native), {@code VectorBLAS}, {@code Java11BLAS}. */
    public static String implementation() {
        return BLAS_INSTANCE.getClass().getSimpleName();
    }

    /** The row-major {@code [rows, cols]} matrix at {@code data[offset]}, a view (no copy). */
    public static DenseMatrix<Object> rowMajor(float[] data, int offset, int rows, int cols) {
        return new DenseMatrix<>(rows, cols, data, offset, Math.max(1, cols), true);
    }

    /** {@code m}'s transpose, a view of the same values. */
    public static DenseMatrix<Object> t(DenseMatrix<Object> m) {
        return new DenseMatrix<>(m.cols(), m.rows(), m.data(), m.offset(), m.majorStride(), !m.isTranspose());
    }

    /**
     * {@code C := alpha·op(A)·op(B) + beta·C} on row-major arrays, with no view objects: the layers' forward and
     * backward passes call this once per product. {@code C} is {@code [m, n]} at {@code c[cOff]}; {@code op(A)} is
     * {@code [m, k]}: {@code A} itself, stored {@code [m, k]} at {@code a[aOff]}, or with {@code transA} the transpose
     * of the stored {@code [k, m]}; likewise {@code op(B)} is {@code [k, n]}, stored {@code [k, n]} or, with
     * {@code transB}, {@code [n, k]}. Computed as the column-major {@code Cᵀ = op(B)ᵀ·op(A)ᵀ}, for which each
     * row-major operand's storage already is the matrix needed: one {@code sgemm}, no copy.
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                            float[] b, int bOff, float beta, float[] c, int cOff) {
        if (m == 0 || n == 0) {
            return;
        }
        BLAS_INSTANCE.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b, bOff, transB ? k : n,
                a, aOff, transA ? m : k, beta, c, cOff, n);
    }

    /**
     * {@code C := alpha·A·B + beta·C} on views: {@code A} is {@code [m, k]}, {@code B} {@code [k, n]}, {@code C}
     * {@code [m, n]}, each column- or row-major. A row-major {@code C} is computed as {@code Cᵀ = Bᵀ·Aᵀ}, which is
     * column-major.
     *
     * @throws IllegalArgumentException if the shapes do not agree
     */
    public static void gemm(float alpha, DenseMatrix<Object> a, DenseMatrix<Object> b, float beta,
                            DenseMatrix<Object> c) {
        int m = a.rows();
        int k = a.cols();
        int n = b.cols();
        if (b.rows() != k || c.rows() != m || c.cols() != n) {
            throw new IllegalArgumentException("gemm shapes: A [" + m + ", " + k + "], B [" + b.rows() + ", " + n
                    + "], C [" + c.rows() + ", " + c.cols() + "]");
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (c.isTranspose()) {
            // Cᵀ = Bᵀ·Aᵀ: a row-major operand's storage is its transpose, column-major, so it goes in as it is.
            BLAS_INSTANCE.sgemm(b.isTranspose() ? "N" : "T", a.isTranspose() ? "N" : "T", n, m, k, alpha,
                    (float[]) b.data(), b.offset(), b.majorStride(), (float[]) a.data(), a.offset(), a.majorStride(),
                    beta, (float[]) c.data(), c.offset(), c.majorStride());
        } else {
            BLAS_INSTANCE.sgemm(a.isTranspose() ? "T" : "N", b.isTranspose() ? "T" : "N", m, n, k, alpha,
                    (float[]) a.data(), a.offset(), a.majorStride(), (float[]) b.data(), b.offset(), b.majorStride(),
                    beta, (float[]) c.data(), c.offset(), c.majorStride());
        }
    }
}
