package dev.sparknn.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;

class OptimizerTest {

    /** Hand-computed values of two decimal places, checked through float32 rounding. */
    private static final float TOLERANCE = 1e-6f;

    @Test
    void sgdStepsAgainstTheGradient() {
        float[] w = {1f, -2f};
        Optimizer sgd = Optimizer.create(0.1, 0, 2);
        assertInstanceOf(Optimizer.Sgd.class, sgd);
        // The payload carries loss sum and count after the gradient; they must be ignored.
        sgd.step(w, new double[] {0.5, -1, 123, 456});
        assertArrayEquals(new float[] {0.95f, -1.9f}, w, TOLERANCE);
    }

    @Test
    void momentumAccumulatesVelocity() {
        float[] w = {1f, -2f};
        Optimizer momentum = Optimizer.create(0.1, 0.9, 2);
        double[] g = {0.5, -1};
        momentum.step(w, g);
        // v1 = −0.1·g = [−0.05, 0.1]; w1 = [0.95, −1.9]
        assertArrayEquals(new float[] {0.95f, -1.9f}, w, TOLERANCE);
        momentum.step(w, g);
        // v2 = 0.9·v1 − 0.1·g = [−0.095, 0.19]; w2 = [0.855, −1.71]
        assertArrayEquals(new float[] {0.855f, -1.71f}, w, TOLERANCE);
    }
}
