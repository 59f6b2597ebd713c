package dev.sparknn.train.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sparknn.ops.Activation;
import dev.sparknn.ops.MeanSquaredError;
import dev.sparknn.ops.Network;
import dev.sparknn.train.Optimizer;
import dev.sparknn.train.TrainConfig;
import dev.sparknn.train.TrainOptions;
import org.junit.jupiter.api.Test;

/** The mean, the clipping and the checks that the driver and every partition share. */
class MeanGradientTest {

    /** A float32 quotient, product or difference of values near 1 is within half an ulp; a step takes three. */
    private static final float TOLERANCE = 4 * Math.ulp(1f);

    /** 2 inputs, 1 output: W1[0,0], W1[1,0], b1[0]. */
    private final Network net = new Network(new int[] {2, 1}, Activation.IDENTITY, new MeanSquaredError());

    private static Optimizer plainSgd() {
        TrainConfig cfg = TrainConfig.builder().set(TrainOptions.LR, 0.1).set(TrainOptions.MOMENTUM, 0.0).build();
        return Optimizer.create(cfg.optimizer(), 3);
    }

    @Test
    void aStepTakesTheSumOverTheCountAsTheMean() {
        // Plain SGD with lr 1: w := w − sum/3 = [1, −2, 0.5] below w = 0.
        float[] w = new float[3];
        MeanGradient.step(net, plainSgd(), w, new float[] {3, -6, 1.5f, 123}, 3, 0, 1, 1);
        assertArrayEquals(new float[] {-1, 2, -0.5f}, w, TOLERANCE);
    }

    @Test
    void clippingRescalesOnlyLargeMeans() {
        // The mean [3, 4]/1 has norm 5: a max of 10 leaves the divisor at the count, a max of 1 makes it 5.
        float[] sum = {3, 4, 99};
        assertEquals(1f, MeanGradient.divisor(sum, 2, 1, 10), 0f);
        assertEquals(1f, MeanGradient.divisor(sum, 2, 1, 0), 0f, "0 is no clipping");
        assertEquals(5f, MeanGradient.divisor(sum, 2, 1, 1), TOLERANCE);
        // Over 2 samples the mean [1.5, 2] has norm 2.5: clipped to 1, the divisor is 2·2.5.
        assertEquals(5f, MeanGradient.divisor(sum, 2, 2, 1), TOLERANCE);
        float[] w = new float[2];
        MeanGradient.step(net, plainSgd(), w, sum, 1, 1, 1, 1);
        assertArrayEquals(new float[] {-0.6f, -0.8f}, w, TOLERANCE, "a step with the clipped mean, of norm 1");
    }

    @Test
    void aNonFiniteLossOrGradientIsNamedByParameter() {
        assertEquals("loss sum is NaN", MeanGradient.nonFiniteLoss(Double.NaN));
        assertNull(MeanGradient.nonFiniteLoss(1.5));
        assertNull(MeanGradient.nonFiniteGradient(net, new float[] {1, 2, 3, Float.NaN}),
                "entries past numParams (loss sum, count) are not checked");
        assertEquals("gradient of W1[1,0] (layer 1 weights) is Infinity",
                MeanGradient.nonFiniteGradient(net, new float[] {0, Float.POSITIVE_INFINITY, 0}));
        assertEquals("gradient of b1[0] (layer 1 biases) is NaN",
                MeanGradient.nonFiniteGradient(net, new float[] {0, 0, Float.NaN}));
        assertEquals("the update made b1[0] (layer 1 biases) NaN",
                MeanGradient.nonFiniteParameter(net, new float[] {0, 0, Float.NaN}));
    }
}
