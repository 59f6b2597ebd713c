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
        assertArrayEquals(new float[] {3f, 7f}, s.mean(), 1e-6f);
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
        assertArrayEquals(new float[] {3.3f, 1234567.9f, 0.5f}, s.mean());
        assertArrayEquals(new float[] {1f, 1f, 2f}, s.scale());
        float[] standardized = s.apply(block).features();
        assertArrayEquals(new float[] {0f, 0f, -1f, 0f, 0f, 1f}, java.util.Arrays.copyOf(standardized, 6));
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
        assertArrayEquals(onStandardized, onRaw, 1e-4f);
        assertEquals(net.numParams(), s.foldInto(net, params).length);
    }
}
