package dev.sparknn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Two updates of every optimizer on w = [1, −2] with the constant gradient g = [0.5, −1], worked by hand. */
class OptimizerTest {

    /**
     * Hand-computed values of at most 7 significant digits (≤ 5e-8 off), against weights computed in float32 (a few
     * roundings of ½ ulp, 6e-8 below 2, per update) and the literal's own rounding (½ ulp): under 4 ulps of 1.
     */
    private static final float TOLERANCE = 4 * Math.ulp(1f);
    /**
     * A gradient sum of 2 samples, whose mean is g; a payload carries loss sum and count after the gradient, which
     * optimizers must ignore.
     */
    private static final float[] G = {1, -2, 123, 456};
    private static final float COUNT = 2;

    static Optimizer create(Optimizer.Kind kind, double momentum, double weightDecay) {
        TrainConfig cfg = TrainConfig.builder().set(TrainOptions.OPTIMIZER, kind.toString())
                .set(TrainOptions.LR, 0.1).set(TrainOptions.MOMENTUM, momentum).set(TrainOptions.BETA1, 0.9)
                .set(TrainOptions.BETA2, 0.999).set(TrainOptions.EPS, 1e-8).set(TrainOptions.WEIGHT_DECAY, weightDecay)
                .build();
        return Optimizer.create(cfg.optimizer(), 2);
    }

    private static float[] twoSteps(Optimizer o, float[] afterFirst) {
        float[] w = {1f, -2f};
        o.step(w, G, COUNT, 0.1f, 1);
        assertArrayEquals(afterFirst, w, TOLERANCE, "after the first update");
        o.step(w, G, COUNT, 0.1f, 2);
        return w;
    }

    @Test
    void plainSgd() {
        assertArrayEquals(new float[] {0.9f, -1.8f}, twoSteps(create(Optimizer.Kind.SGD, 0, 0),
                new float[] {0.95f, -1.9f}), TOLERANCE);
    }

    @Test
    void sgdWeightDecayAddsL2ToTheGradient() {
        // g' = g + 0.1·w = [0.6, −1.2] → w = [0.94, −1.88]; then g' = [0.594, −1.188] → [0.8806, −1.7612].
        assertArrayEquals(new float[] {0.8806f, -1.7612f}, twoSteps(create(Optimizer.Kind.SGD, 0, 0.1),
                new float[] {0.94f, -1.88f}), TOLERANCE);
    }

    @Test
    void momentumAccumulatesVelocity() {
        // v1 = −0.1·g = [−0.05, 0.1]; v2 = 0.9·v1 − 0.1·g = [−0.095, 0.19].
        assertArrayEquals(new float[] {0.855f, -1.71f}, twoSteps(create(Optimizer.Kind.SGD, 0.9, 0),
                new float[] {0.95f, -1.9f}), TOLERANCE);
    }

    @Test
    void nesterovLooksAhead() {
        // w += 0.9·v − 0.1·g: first [−0.095, 0.19] (v1 = [−0.05, 0.1]), then [−0.1355, 0.271] (v2 = [−0.095, 0.19]).
        assertArrayEquals(new float[] {0.7695f, -1.539f}, twoSteps(create(Optimizer.Kind.NESTEROV, 0.9, 0),
                new float[] {0.905f, -1.81f}), TOLERANCE);
    }

    @Test
    void adamStepsByLrTimesSignForAConstantGradient() {
        // Bias correction makes m̂ = g and v̂ = g² exactly for a constant g, so each update is lr·g/|g|.
        assertArrayEquals(new float[] {0.8f, -1.8f}, twoSteps(create(Optimizer.Kind.ADAM, 0, 0),
                new float[] {0.9f, -1.9f}), TOLERANCE);
    }

    @Test
    void adamL2DecayIsNormalisedAwayButAdamwDecayIsNot() {
        // Adam: g' = g + 0.1·w = [0.6, −1.2] first, an update of exactly lr·sign → [0.9, −1.9]. Then
        // g' = [0.59, −1.19]: m = [0.113, −0.227], v = [0.00070774, 0.00285466]; m̂ = m/0.19, v̂ = v/0.001999,
        // lr·m̂/√v̂ = [0.0999527, −0.0999773]: the decay barely shows, being normalised with the gradient.
        assertArrayEquals(new float[] {0.8000473f, -1.8000227f}, twoSteps(create(Optimizer.Kind.ADAM, 0, 0.1),
                new float[] {0.9f, -1.9f}), TOLERANCE);
        // AdamW: w −= lr·wd·w first (w·0.99), then lr·sign(g): 1 → 0.99 → 0.89 → 0.8811 → 0.7811, and
        // −2 → −1.98 → −1.88 → −1.8612 → −1.7612.
        assertArrayEquals(new float[] {0.7811f, -1.7612f}, twoSteps(create(Optimizer.Kind.ADAMW, 0, 0.1),
                new float[] {0.89f, -1.88f}), TOLERANCE);
    }

    @Test
    void stateRoundTripsForCheckpoints() {
        Optimizer a = create(Optimizer.Kind.ADAM, 0, 0);
        float[] w = {1f, -2f};
        a.step(w, G, COUNT, 0.1f, 1);
        Optimizer b = create(Optimizer.Kind.ADAM, 0, 0);
        b.restore(a.state().clone());
        float[] w2 = w.clone();
        a.step(w, G, COUNT, 0.1f, 2);
        b.step(w2, G, COUNT, 0.1f, 2);
        assertArrayEquals(w, w2, 0f);
        assertEquals(4, a.state().length, "Adam keeps m and v");
        assertEquals(0, create(Optimizer.Kind.SGD, 0, 0).state().length, "plain SGD keeps nothing");
    }
}
