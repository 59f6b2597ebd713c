package dev.sparknn.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ActivationTest {

    /**
     * Sigmoid and tanh of a float input are computed in double and rounded once to float (½ ulp), the input's own
     * rounding passes through a slope below 1 (½ ulp), and the expected literal is rounded too (½ ulp); the
     * derivative {@code 1 − y²} or {@code y(1 − y)} adds two float roundings. The worst case here, 2·tanh'(ln 2),
     * stays under 2.7e-7 (2.3 ulps of 1); 4 ulps of 1 (4.8e-7) bounds them all (measured: 0, every value here rounds
     * to its literal). ReLU is exact.
     */
    private static final float TOLERANCE = 4 * Math.ulp(1f);
    /** Exact: only +0 and −0 may differ, which a zero delta treats as equal. */
    private static final float EXACT = 0f;

    @Test
    void reluAtKnownPoints() {
        float[] x = {-2f, -0f, 0f, 0.5f, 3f};
        Activation.RELU.forward(x, 0, x.length);
        assertArrayEquals(new float[] {0f, 0f, 0f, 0.5f, 3f}, x, EXACT);
        float[] grad = {10f, 10f, 10f, 10f, 10f};
        Activation.RELU.backward(x, grad, 0, x.length);
        assertArrayEquals(new float[] {0f, 0f, 0f, 10f, 10f}, grad, EXACT);
    }

    @Test
    void sigmoidAtKnownPoints() {
        // sigmoid(ln 3) = 3/4; saturates without overflow at ±1000.
        float[] x = {0f, (float) Math.log(3), -1000f, 1000f};
        Activation.SIGMOID.forward(x, 0, x.length);
        assertArrayEquals(new float[] {0.5f, 0.75f, 0f, 1f}, x, TOLERANCE);
        float[] grad = {1f, 1f, 1f, 1f};
        Activation.SIGMOID.backward(x, grad, 0, x.length);
        assertArrayEquals(new float[] {0.25f, 0.1875f, 0f, 0f}, grad, TOLERANCE);
    }

    @Test
    void tanhAtKnownPoints() {
        // tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 0.6.
        float[] x = {0f, (float) Math.log(2), -50f};
        Activation.TANH.forward(x, 0, x.length);
        assertArrayEquals(new float[] {0f, 0.6f, -1f}, x, TOLERANCE);
        float[] grad = {2f, 2f, 2f};
        Activation.TANH.backward(x, grad, 0, x.length);
        assertArrayEquals(new float[] {2f, 2f * 0.64f, 0f}, grad, TOLERANCE);
    }

    @Test
    void forwardRespectsOffsetAndLength() {
        float[] x = {-1f, -1f, -1f, -1f};
        Activation.RELU.forward(x, 1, 2);
        assertArrayEquals(new float[] {-1f, 0f, 0f, -1f}, x, EXACT);
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void gradientMatchesCentralDifferences(Activation act) {
        Random random = new Random(7);
        int n = 40;
        float[] x = new float[n];
        float[] weights = new float[n];
        for (int i = 0; i < n; i++) {
            // Keep away from ReLU's kink at 0 by more than the probe step.
            float magnitude = 0.1f + 2f * random.nextFloat();
            x[i] = random.nextBoolean() ? magnitude : -magnitude;
            weights[i] = (float) random.nextGaussian();
        }
        // f(x) = Σ w_i·act(x_i), so ∂f/∂x_i = w_i·act'(x_i).
        float[] y = x.clone();
        act.forward(y, 0, n);
        float[] analytic = weights.clone();
        act.backward(y, analytic, 0, n);
        GradientCheck.Result result = GradientCheck.check(x, analytic, () -> {
            float[] out = x.clone();
            act.forward(out, 0, n);
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += weights[i] * out[i];
            }
            return sum;
        }, Tolerances.H, Tolerances.FLOOR, 0, 1);
        assertTrue(result.maxRelativeError() < Tolerances.MAX_RELATIVE_ERROR, result::toString);
        assertEquals(n, result.probes());
    }

    @Test
    void unknownNameIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Activation.parse("swish"));
        assertTrue(e.getMessage().contains("'swish'")
                && e.getMessage().endsWith("(expected relu, sigmoid, tanh or identity)"), e.getMessage());
        assertEquals(Activation.TANH, Activation.parse("Tanh"));
    }
}
