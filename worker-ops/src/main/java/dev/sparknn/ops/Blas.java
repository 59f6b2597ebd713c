package dev.sparknn.ops;

import dev.ludovic.netlib.blas.BLAS;

/**
 * Row-major float32 matrix products on {@code dev.ludovic.netlib} BLAS: native OpenBLAS when the machine has
 * {@code libblas.so.3}, otherwise the JDK's vectorised Java BLAS (needs {@code --add-modules jdk.incubator.vector}),
 * otherwise plain Java. This is the same BLAS Breeze dispatches to; calling it directly on offsets into
 * preallocated arrays lets a batch run without allocating result matrices.
 *
 * <p>BLAS is column-major; a row-major {@code [m, n]} matrix is the column-major {@code [n, m]} transpose, so
 * {@code C = op(A)·op(B)} in row-major is computed as {@code Cᵀ = op(B)ᵀ·op(A)ᵀ} in column-major.
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

    /**
     * {@code C := alpha·op(A)·op(B) + beta·C}, all row-major, where {@code op(A)} is {@code [m, k]},
     * {@code op(B)} is {@code [k, n]} and {@code C} is {@code [m, n]} at offset {@code cOff}.
     *
     * @param transA whether A is stored as {@code [k, m]} and used transposed
     * @param transB whether B is stored as {@code [n, k]} and used transposed
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
        if (m == 0 || n == 0) {
            return;
        }
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        BLAS_INSTANCE.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha,
                b, bOff, ldb, a, aOff, lda, beta, c, cOff, n);
    }
}
