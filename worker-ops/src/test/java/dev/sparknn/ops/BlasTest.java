package dev.sparknn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import breeze.linalg.DenseMatrix;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Products of Breeze views against a triple loop, for every layout of A, B and C, at offsets inside larger arrays. */
class BlasTest {

    @Test
    void gemmOnViewsOfEveryLayoutMatchesTheDefinition() {
        Random random = new Random(3);
        int m = 5;
        int k = 4;
        int n = 3;
        for (int layout = 0; layout < 8; layout++) {
            float[] a = AffineTest.gaussian(random, 7 + m * k);
            float[] b = AffineTest.gaussian(random, 2 + k * n);
            float[] c = AffineTest.gaussian(random, 5 + m * n);
            DenseMatrix<Object> av = view(a, 7, m, k, (layout & 1) != 0);
            DenseMatrix<Object> bv = view(b, 2, k, n, (layout & 2) != 0);
            DenseMatrix<Object> cv = view(c, 5, m, n, (layout & 4) != 0);
            float[][] expected = new float[m][n];
            double[][] bound = new double[m][n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    double magnitude = 0.5 * Math.abs(get(cv, i, j));
                    for (int l = 0; l < k; l++) {
                        sum += (double) get(av, i, l) * get(bv, l, j);
                        magnitude += 2 * Math.abs((double) get(av, i, l) * get(bv, l, j));
                    }
                    expected[i][j] = (float) (2 * sum + 0.5 * get(cv, i, j));
                    // Higham's bound for a float32 sum of the k products and β·C, in any order (scaling by 2 and
                    // 0.5 is exact): γ_(k+1)·Σ|terms| ≈ (k+1)·u·Σ|terms|, u = 2^-24; plus ½ ulp for the expected
                    // value's own rounding to float.
                    bound[i][j] = (k + 2) * 0x1p-24 * magnitude;
                }
            }
            float before = c[4];
            Blas.gemm(2f, av, bv, 0.5f, cv);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(expected[i][j], get(cv, i, j), bound[i][j],
                            "layout " + layout + " C[" + i + "," + j + "]");
                }
            }
            assertEquals(before, c[4], "nothing before C's offset is written");
        }
        assertThrows(IllegalArgumentException.class, () -> Blas.gemm(1f, Blas.rowMajor(new float[6], 0, 2, 3),
                Blas.rowMajor(new float[6], 0, 2, 3), 0f, Blas.rowMajor(new float[4], 0, 2, 2)));
    }

    @Test
    void aTransposeIsAViewOfTheSameValues() {
        float[] x = {1, 2, 3, 4, 5, 6};
        DenseMatrix<Object> m = Blas.rowMajor(x, 0, 2, 3);
        DenseMatrix<Object> t = Blas.t(m);
        assertEquals(3, t.rows());
        assertEquals(2, t.cols());
        assertEquals(6f, get(t, 2, 1));
        x[5] = 9;
        assertEquals(9f, get(t, 2, 1), "no copy");
    }

    /** A row-major or column-major {@code [rows, cols]} view at {@code offset}. */
    private static DenseMatrix<Object> view(float[] data, int offset, int rows, int cols, boolean rowMajor) {
        return rowMajor ? Blas.rowMajor(data, offset, rows, cols)
                : new DenseMatrix<>(rows, cols, data, offset, rows, false);
    }

    private static float get(DenseMatrix<Object> m, int i, int j) {
        int index = m.isTranspose() ? m.offset() + i * m.majorStride() + j : m.offset() + j * m.majorStride() + i;
        return ((float[]) m.data())[index];
    }
}
