package dev.sparknn.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class LossTest {

    /** Values below are computed by hand to at least 7 significant digits. */
    private static final double TOLERANCE = 1e-6;

    /** The book's example output for a 10-class sample whose true class is 2. */
    private static final float[] BOOK_Y = {0.1f, 0.05f, 0.6f, 0f, 0.05f, 0.1f, 0f, 0.1f, 0f, 0f};

    @Test
    void softmaxOfLargeLogitsDoesNotOverflow() {
        float[] probs = new float[3];
        SoftmaxCrossEntropy.softmax(1, 3, new float[] {1010f, 1000f, 990f}, probs);
        // 1 / (1 + e^-10 + e^-20), e^-10 / (…), e^-20 / (…)
        double z = 1 + Math.exp(-10) + Math.exp(-20);
        double[] expected = {1 / z, Math.exp(-10) / z, Math.exp(-20) / z};
        for (int c = 0; c < 3; c++) {
            // float32 softmax: exp of x - max, a sum of 3 and a division, each rounded once (≤ ½ ulp), plus the
            // rounding of the result: within 4 ulps of the exact value, relative, whatever its size (1 or 2e-9).
            assertEquals(expected[c], probs[c], 4 * Math.ulp((float) expected[c]), "class " + c);
        }
    }

    @Test
    void crossEntropyOfLargeLogits() {
        // log(e^1010 + e^1000 + e^990) − 1000 = 10 + log(1 + e^-10 + e^-20) = 10.0000454…
        double loss = new SoftmaxCrossEntropy().lossAndGradient(1, 3, new float[] {1010f, 1000f, 990f},
                new int[] {1}, null, null);
        assertEquals(10 + Math.log1p(Math.exp(-10) + Math.exp(-20)), loss, TOLERANCE);
        assertTrue(Double.isFinite(new SoftmaxCrossEntropy().lossAndGradient(1, 3, new float[] {1010f, 1000f, 990f},
                new int[] {2}, null, null)), "a very confident wrong answer still has a finite loss");
    }

    @Test
    void crossEntropyOfKnownPrediction() {
        // logits = log(p) make softmax(logits) = p exactly, so the loss is −log p[label] = −log 0.6 = 0.5108256.
        float[] logits = {(float) Math.log(0.1), (float) Math.log(0.3), (float) Math.log(0.6)};
        float[] grad = new float[3];
        double loss = new SoftmaxCrossEntropy().lossAndGradient(1, 3, logits, new int[] {2}, null, grad);
        assertEquals(0.5108256, loss, TOLERANCE);
        // The logits' float32 rounding (up to 1.2e-7, for log 0.1) moves p_j by at most p_j·2·1.2e-7; with the
        // rounding of p_j, of p_j − 1 and of the literal, the worst entry (−0.4) is within 1.1e-7 (measured 3e-8):
        // 2 ulps of 1 bound it.
        assertArrayEquals(new float[] {0.1f, 0.3f, -0.4f}, grad, 2 * Math.ulp(1f));
    }

    @Test
    void meanSquaredErrorOfBookExample() {
        // ½·(0.1² + 0.05² + 0.4² + 0.05² + 0.1² + 0.1²) = ½·0.195 = 0.0975
        float[] grad = new float[10];
        double loss = new MeanSquaredError().lossAndGradient(1, 10, BOOK_Y, new int[] {2}, null, grad);
        assertEquals(0.0975, loss, TOLERANCE);
        // Exact: y − t in float32, with t = 0 or with y within a factor 2 of t = 1 (Sterbenz), so 0.6f − 1f, which is
        // an ulp from −0.4f.
        assertEquals(BOOK_Y[2] - 1f, grad[2]);
        assertEquals(0.1f, grad[0]);
    }

    @Test
    void lossesSumOverTheBatch() {
        float[] two = new float[20];
        System.arraycopy(BOOK_Y, 0, two, 0, 10);
        System.arraycopy(BOOK_Y, 0, two, 10, 10);
        assertEquals(2 * 0.0975, new MeanSquaredError().lossAndGradient(2, 10, two, new int[] {2, 2}, null, null), TOLERANCE);
    }

    @Test
    void meanSquaredErrorAgainstRealTargets() {
        // Regression: ½·((2.5 − 3)² + (−1 − 1)²) = ½·(0.25 + 4) = 2.125; gradient y − t.
        float[] grad = new float[2];
        double loss = new MeanSquaredError().lossAndGradient(2, 1, new float[] {2.5f, -1f}, null,
                new float[] {3f, 1f}, grad);
        assertEquals(2.125, loss, TOLERANCE);
        assertArrayEquals(new float[] {-0.5f, -2f}, grad, "exact: differences of small binary fractions");
    }

    @Test
    void softmaxRefusesRegressionTargets() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SoftmaxCrossEntropy()
                .lossAndGradient(1, 2, new float[2], null, new float[2], null));
        assertTrue(e.getMessage().contains("--loss mse"), e::getMessage);
    }

    @Test
    void meanSquaredErrorGradientAgainstRealTargetsMatchesCentralDifferences() {
        Random random = new Random(12);
        int batch = 4;
        int k = 2;
        float[] logits = AffineTest.gaussian(random, batch * k);
        float[] targets = AffineTest.gaussian(random, batch * k);
        float[] grad = new float[batch * k];
        MeanSquaredError loss = new MeanSquaredError();
        loss.lossAndGradient(batch, k, logits, null, targets, grad);
        GradientCheck.Result result = GradientCheck.check(logits, grad,
                () -> loss.lossAndGradient(batch, k, logits, null, targets, null), Tolerances.H, Tolerances.FLOOR, 0, 1);
        assertTrue(result.maxRelativeError() < Tolerances.MAX_RELATIVE_ERROR, result::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"softmax-ce", "mse"})
    void gradientMatchesCentralDifferences(String name) {
        Loss loss = Loss.parse(name);
        Random random = new Random(11);
        int batch = 4;
        int k = 5;
        float[] logits = AffineTest.gaussian(random, batch * k);
        int[] labels = {0, 3, 4, 3};
        float[] grad = new float[batch * k];
        loss.lossAndGradient(batch, k, logits, labels, null, grad);
        GradientCheck.Result result = GradientCheck.check(logits, grad,
                () -> loss.lossAndGradient(batch, k, logits, labels, null, null), Tolerances.H, Tolerances.FLOOR, 0, 1);
        assertTrue(result.maxRelativeError() < Tolerances.MAX_RELATIVE_ERROR, result::toString);
    }
}
