package dev.sparknn.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class StandardizationTest {

    @Test
    void meanAndScaleByHandWithAConstantFeature() {
        // Feature 0: 1, 3, 5 (mean 3, population std √(8/3)); feature 1 constant 7 (scale 1).
        RowBlock block = RowBlock.regression(3, 2, new float[] {1f, 7f, 3f, 7f, 5f, 7f}, 1, new float[3]);
        Standardization s = Standardization.Moments.of(block.slice(0, 1))
                .plus(Standardization.Moments.of(block.slice(1, 3))).standardization();
        assertArrayEquals(new float[] {3f, 7f}, s.mean(), "exact: (1 + 3 + 5) / 3 and 7 in double, then to float");
        // Moments in double, rounded once to float32: within ½ ulp (3e-8) of sqrt(3/8) = 0.61; 1e-6 also covers the
        // float32 arithmetic of apply() below (values of order 1, a few roundings each).
        assertArrayEquals(new float[] {(float) Math.sqrt(3.0 / 8), 1f}, s.scale(), 1e-6f);
        RowBlock standardized = s.apply(block);
        float z = (float) (2 * Math.sqrt(3.0 / 8));
        assertArrayEquals(new float[] {-z, 0f, 0f, 0f, z, 0f}, standardized.features(), 1e-6f);
        assertArrayEquals(block.targets(), standardized.targets());
    }

    @Test
    void aConstantColumnKeepsScaleOneAtAnyRowCount() {
        // 100,000 rows of 3.3 (in 4 blocks) and of 1234567.9: from raw sums of squares, Σx²/n − mean² came out as
        // 2.8e-11 and 1.7 (scales 2e5 and 0.76); from deviations it is 0, or rounding far below the threshold.
        int rows = 100_000;
        float[] x = new float[rows * 3];
        for (int r = 0; r < rows; r++) {
            x[3 * r] = 3.3f;
            x[3 * r + 1] = 1234567.9f;
            x[3 * r + 2] = r % 2;                     // 0, 1, 0, 1, ...: mean 0.5, std 0.5
        }
        RowBlock block = new RowBlock(rows, 3, x, new int[rows]);
        Standardization.Moments moments = new Standardization.Moments(0, new double[3], new double[3]);
        for (RowBlock part : block.split(4)) {
            moments = moments.plus(Standardization.Moments.of(part));
        }
        Standardization s = moments.standardization();
        // Exact: 100,000 float32 values (24-bit significands) sum to at most 24 + 17 = 41 significant bits, which a
        // double holds exactly, so each mean rounds back to the float it was made of.
        assertArrayEquals(new float[] {3.3f, 1234567.9f, 0.5f}, s.mean());
        assertArrayEquals(new float[] {1f, 1f, 2f}, s.scale());
        float[] standardized = s.apply(block).features();
        assertArrayEquals(new float[] {0f, 0f, -1f, 0f, 0f, 1f}, java.util.Arrays.copyOf(standardized, 6));
    }

    /**
     * Targets 12 and 28 (mean 20, σ 8) at x = 0 and 4 (mean 2, std 2). On standardised inputs x' = ∓1 the network
     * 1-2-1 ReLU with W1 = [1, −1], b1 = 0, W2 = [1; −1], b2 = 0 outputs relu(x') − relu(−x') = x' = ∓1, exactly
     * the standardised targets. Folded, it takes raw x and outputs y = 12 + 4x: 12 and 28 at the training points,
     * 52 at x = 10. Every number is a small integer or power of two, so the floats are exact.
     */
    @Test
    void targetStandardisationFoldsIntoTheLastLayerSoTheModelPredictsInTheTargetsUnits() {
        Network net = new Network(new int[] {1, 2, 1}, Activation.RELU, new MeanSquaredError());
        RowBlock raw = RowBlock.regression(2, 1, new float[] {0f, 4f}, 1, new float[] {12f, 28f});
        Standardization features = Standardization.Moments.of(raw).standardization();
        Standardization targets = Standardization.Moments.ofTargets(raw.slice(0, 1))
                .plus(Standardization.Moments.ofTargets(raw.slice(1, 2))).standardization();
        assertArrayEquals(new float[] {20f}, targets.mean());
        assertArrayEquals(new float[] {0.125f}, targets.scale());
        RowBlock standardized = targets.applyToTargets(features.apply(raw));
        assertArrayEquals(new float[] {-1f, 1f}, standardized.features());
        assertArrayEquals(new float[] {-1f, 1f}, standardized.targets());
        assertArrayEquals(raw.features(), targets.applyToTargets(raw).features(), "features untouched");

        float[] params = {1f, -1f, 0f, 0f, 1f, -1f, 0f};      // W1 [1x2], b1 [2], W2 [2x1], b2 [1]
        float[] onStandardized = new float[2];
        net.predict(params, standardized.features(), 2, net.newWorkspace(2), onStandardized);
        assertArrayEquals(new float[] {-1f, 1f}, onStandardized);

        float[] folded = targets.foldIntoLastLayer(net, features.foldInto(net, params));
        // First layer: W·0.5 and b − 2·0.5·W; last layer: W·8 and b·8 + 20.
        assertArrayEquals(new float[] {0.5f, -0.5f, -1f, 1f, 8f, -8f, 20f}, folded);
        float[] onRaw = new float[3];
        net.predict(folded, new float[] {0f, 4f, 10f}, 3, net.newWorkspace(3), onRaw);
        assertArrayEquals(new float[] {12f, 28f, 52f}, onRaw);
        assertArrayEquals(folded, features.foldInto(net, targets.foldIntoLastLayer(net, params)),
                "the two folds touch different layers, so their order does not matter");
    }

    /**
     * A loss on standardised targets times σ² is the loss in the targets' units. Targets 12 and 28 (σ = 8),
     * standardised −1 and 1; outputs −0.5 and 1.5 (standardised) are 16 and 32 in the targets' units: errors 0.5
     * (4), mean loss ½·0.5² = 0.125 (½·4² = 8), RMSE 0.5 (4). Powers of two: exact.
     */
    @Test
    void lossOnStandardisedTargetsScalesBySigmaSquared() {
        Network net = new Network(new int[] {1, 1}, Activation.IDENTITY, new MeanSquaredError());
        RowBlock raw = RowBlock.regression(2, 1, new float[] {-1f, 1f}, 1, new float[] {12f, 28f});
        Standardization targets = Standardization.Moments.ofTargets(raw).standardization();
        assertEquals(64.0, targets.lossScale());
        float[] params = {1f, 0.5f};                          // y' = x + 0.5
        Network.Evaluation standardized = net.evaluate(params, targets.applyToTargets(raw), net.newWorkspace(2));
        assertEquals(0.125, standardized.meanLoss());
        assertEquals(0.5, standardized.rmse());
        Network.Evaluation scaled = standardized.scaled(targets.lossScale());
        assertEquals(8.0, scaled.meanLoss());
        assertEquals(4.0, scaled.rmse());
        assertEquals(2, scaled.count());
        // The folded model (y = 8x + 24) on the raw targets gives the same numbers.
        Network.Evaluation user = net.evaluate(targets.foldIntoLastLayer(net, params), raw, net.newWorkspace(2));
        assertEquals(8.0, user.meanLoss());
        assertEquals(4.0, user.rmse());
    }

    @Test
    void constantTargetsAreOnlyCentred() {
        RowBlock raw = RowBlock.regression(3, 1, new float[] {1f, 2f, 3f}, 1, new float[] {7f, 7f, 7f});
        Standardization targets = Standardization.Moments.ofTargets(raw).standardization();
        assertArrayEquals(new float[] {1f}, targets.scale());
        assertEquals(1.0, targets.lossScale());
        assertArrayEquals(new float[] {0f, 0f, 0f}, targets.applyToTargets(raw).targets());
    }

    @Test
    void foldedParametersGiveOnRawFeaturesWhatTheOriginalsGiveOnStandardisedOnes() {
        Random random = new Random(3);
        Network net = new Network(new int[] {4, 6, 2}, Activation.TANH, new MeanSquaredError());
        float[] x = new float[5 * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (100 + 30 * random.nextGaussian());
        }
        RowBlock raw = RowBlock.regression(5, 4, x, 2, new float[10]);
        Standardization s = Standardization.Moments.of(raw).standardization();
        float[] params = net.initParams(WeightInit.parse("auto"), 9);
        float[] onStandardized = new float[10];
        float[] onRaw = new float[10];
        net.predict(params, s.apply(raw).features(), 5, net.newWorkspace(5), onStandardized);
        net.predict(s.foldInto(net, params), x, 5, net.newWorkspace(5), onRaw);
        // Features near 100 with std 30 make the folded first layer's terms (W·x/σ ≈ 3.3·W, and a folded bias of that
        // order) about 13 times its result, so its float32 rounding is up to γ_5·13·|W| ≈ 2e-6 (weights of std 0.5),
        // carried through tanh' ≤ 1 and 6 weights of std 0.4 to the outputs: about 1e-5; measured 3.3e-7. A fold
        // missing the mean or the scale moves the outputs by order 1.
        assertArrayEquals(onStandardized, onRaw, 1e-5f);
        assertEquals(net.numParams(), s.foldInto(net, params).length);
    }
}
