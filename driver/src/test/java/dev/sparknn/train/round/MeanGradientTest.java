package dev.sparknn.train.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sparknn.ops.Activation;
import dev.sparknn.ops.MeanSquaredError;
import dev.sparknn.ops.Network;
import org.junit.jupiter.api.Test;

/** The mean-and-check and the clipping that the driver and every partition share. */
class MeanGradientTest {

    /**
     * A mean here is one division of exact values (within half an ulp); a clipped entry comes from a square root, a
     * division and a product (each within 1 ulp): within 4 ulps of 1.
     */
    private static final double TOLERANCE = 4 * Math.ulp(1.0);

    /** 2 inputs, 1 output: W1[0,0], W1[1,0], b1[0]. */
    private final Network net = new Network(new int[] {2, 1}, Activation.IDENTITY, new MeanSquaredError());

    @Test
    void theMeanIsTheSumOverTheCountWhetherTheSumIsFloatOrDouble() {
        double[] mean = new double[3];
        assertNull(MeanGradient.of(net, 1.5, new float[] {3, -6, 1.5f}, 3, mean));
        assertEquals(1, mean[0], TOLERANCE);
        assertEquals(-2, mean[1], TOLERANCE);
        assertEquals(0.5, mean[2], TOLERANCE);
        double[] payload = {3, -6, 1.5, 1.5, 3};
        assertNull(MeanGradient.of(net, payload[3], payload, payload[4], payload));
        assertEquals(-2, payload[1], TOLERANCE);
        assertEquals(3, payload[4], 0.0, "entries past numParams (loss sum, count) untouched");
    }

    @Test
    void aNonFiniteLossOrGradientIsNamedByParameter() {
        double[] mean = new double[3];
        assertEquals("loss sum is NaN", MeanGradient.of(net, Double.NaN, new float[3], 1, mean));
        assertEquals("gradient of W1[1,0] (layer 1 weights) is Infinity",
                MeanGradient.of(net, 0, new float[] {0, Float.POSITIVE_INFINITY, 0}, 2, mean));
        assertEquals("gradient of b1[0] (layer 1 biases) is NaN",
                MeanGradient.of(net, 0, new double[] {0, 0, Double.NaN}, 2, mean));
        assertEquals("the update made b1[0] (layer 1 biases) NaN",
                MeanGradient.nonFiniteParameter(net, new float[] {0, 0, Float.NaN}));
    }

    @Test
    void clippingRescalesOnlyLargeGradients() {
        double[] g = {3, 4, 99};
        MeanGradient.clip(g, 2, 10);
        assertEquals(3, g[0], TOLERANCE);
        MeanGradient.clip(g, 2, 1);
        assertEquals(0.6, g[0], TOLERANCE);
        assertEquals(0.8, g[1], TOLERANCE);
        assertEquals(99, g[2], 0.0, "entries past n (loss sum, count) untouched");
    }}
