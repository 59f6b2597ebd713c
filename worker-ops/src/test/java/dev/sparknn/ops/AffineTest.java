package dev.sparknn.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AffineTest {

    /**
     * Exact: every product and partial sum below is a small integer or half-integer, which float32 holds exactly
     * whatever the order of the sums (only +0 and −0 may differ, which a zero delta treats as equal).
     */
    private static final float EXACT = 0f;

    /** Parameters laid out at offset 1 to prove the view respects offsets: [pad, W (2x3), b (3)]. */
    private static final float[] PARAMS = {99f, 1f, 2f, 3f, 4f, 5f, 6f, 0.5f, 0f, -1f};
    private static final Affine LAYER = new Affine(2, 3, 1);

    @Test
    void forwardByHand() {
        // [1 2]·[[1 2 3],[4 5 6]] + [0.5 0 -1] = [9.5 12 14]; second row [0 -1] → [-4+0.5, -5, -6-1].
        float[] x = {1f, 2f, 0f, -1f};
        float[] y = new float[6];
        LAYER.forward(PARAMS, 2, x, y);
        assertArrayEquals(new float[] {9.5f, 12f, 14f, -3.5f, -5f, -7f}, y, EXACT);
    }

    @Test
    void backwardByHandOverwritesOrAccumulatesParametersAndOverwritesInput() {
        float[] x = {1f, 2f};
        float[] dy = {1f, 0f, 1f};
        float[] dx = {7f, 7f};
        float[] grad = new float[PARAMS.length];
        java.util.Arrays.fill(grad, 9f);
        LAYER.backward(PARAMS, 1, x, dy, dx, grad, false);
        // dW = xᵀ·dy = [[1 0 1],[2 0 2]]; db = dy; dx = dy·Wᵀ = [1+3, 4+6]. The pad before the layer is not its own.
        assertArrayEquals(new float[] {9f, 1f, 0f, 1f, 2f, 0f, 2f, 1f, 0f, 1f}, grad, EXACT);
        assertArrayEquals(new float[] {4f, 10f}, dx, EXACT);
        LAYER.backward(PARAMS, 1, x, dy, dx, grad, true);
        assertArrayEquals(new float[] {9f, 2f, 0f, 2f, 4f, 0f, 4f, 2f, 0f, 2f}, grad, EXACT);
        assertArrayEquals(new float[] {4f, 10f}, dx, EXACT);
    }

    @Test
    void gradientsMatchCentralDifferences() {
        Random random = new Random(3);
        int batch = 5;
        Affine layer = new Affine(4, 3, 2);
        float[] params = gaussian(random, 2 + layer.numParams());
        float[] x = gaussian(random, batch * 4);
        float[] weights = gaussian(random, batch * 3);
        // f = Σ weights ⊙ (x·W + b), so ∂f/∂y = weights.
        java.util.function.DoubleSupplier f = () -> {
            float[] y = new float[batch * 3];
            layer.forward(params, batch, x, y);
            double sum = 0;
            for (int i = 0; i < y.length; i++) {
                sum += weights[i] * y[i];
            }
            return sum;
        };
        float[] gradParams = new float[params.length];
        float[] dx = new float[x.length];
        layer.backward(params, batch, x, weights, dx, gradParams, true);

        GradientCheck.Result onParams = GradientCheck.check(params, gradParams, f, Tolerances.H, Tolerances.FLOOR, 0, 1);
        GradientCheck.Result onInput = GradientCheck.check(x, dx, f, Tolerances.H, Tolerances.FLOOR, 0, 1);
        assertTrue(onParams.maxRelativeError() < Tolerances.MAX_RELATIVE_ERROR, onParams::toString);
        assertTrue(onInput.maxRelativeError() < Tolerances.MAX_RELATIVE_ERROR, onInput::toString);
    }

    static float[] gaussian(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }
}
