package dev.sparknn.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NetworkTest {

    private static final int[] SIZES = {6, 8, 5, 4};

    static Stream<Arguments> activationsAndLosses() {
        return Stream.of(Activation.values()).flatMap(a ->
                Stream.of(Arguments.of(a, "softmax-ce"), Arguments.of(a, "mse")));
    }

    @ParameterizedTest
    @MethodSource("activationsAndLosses")
    void threeLayerNetworkGradientMatchesCentralDifferences(Activation activation, String loss) {
        Network net = new Network(SIZES, activation, Loss.parse(loss));
        RowBlock block = randomBlock(7, 3);
        float[] params = kinkFreeParams(net, block);
        GradientCheck.Result result = GradientCheck.checkNetwork(net, params, block, Tolerances.H,
                Tolerances.FLOOR, 1);
        assertEquals(net.numParams(), result.probes());
        assertTrue(result.maxRelativeError() < Tolerances.MAX_RELATIVE_ERROR, result::toString);
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void regressionGradientMatchesCentralDifferences(Activation activation) {
        Network net = new Network(SIZES, activation, new MeanSquaredError());
        RowBlock block = regressionBlock(8, 3);
        float[] params = kinkFreeParams(net, block);
        GradientCheck.Result result = GradientCheck.checkNetwork(net, params, block, Tolerances.H,
                Tolerances.FLOOR, 1);
        assertEquals(net.numParams(), result.probes());
        assertTrue(result.maxRelativeError() < Tolerances.MAX_RELATIVE_ERROR, result::toString);
    }

    /** Workspace.bytes is what a workspace holds: every distinct array, an in-place layer's output counted once. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"784,512,10",
            "1x28x28,conv:30:5,relu,maxpool:2,affine:100,relu,affine:10",
            "1x6x6,conv:2:3:1:1,relu,dropout:0.5,maxpool:2,affine:4,batchnorm,sigmoid,affine:3"})
    void workspaceBytesCountEveryArrayItHolds(String layers) {
        Network net = new Network(layers, Activation.RELU, new SoftmaxCrossEntropy());
        for (int capacity : new int[] {1, 7, 50}) {
            Workspace ws = net.newWorkspace(capacity);
            java.util.Set<Object> arrays = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            arrays.addAll(java.util.List.of(ws.acts));
            arrays.addAll(java.util.List.of(ws.floats));
            arrays.addAll(java.util.List.of(ws.ints));
            arrays.addAll(java.util.List.of(ws.deltaA, ws.deltaB, ws.labels, ws.targets, ws.weights, ws.rows));
            long bytes = arrays.stream().mapToLong(a -> 4L * java.lang.reflect.Array.getLength(a)).sum();
            assertEquals(bytes, Workspace.bytes(net, capacity), layers + " at " + capacity + " rows");
        }
        Network cnn = new Network("1x28x28,conv:30:5,relu,maxpool:2,affine:100,relu,affine:10", Activation.RELU,
                new SoftmaxCrossEntropy());
        int rows = cnn.rowsWithin(32L << 20, 1024);
        assertTrue(Workspace.bytes(cnn, rows) <= 32L << 20 && Workspace.bytes(cnn, rows + 1) > 32L << 20, "" + rows);
        assertEquals(1024, net.rowsWithin(Long.MAX_VALUE, 1024));
        assertEquals(1, cnn.rowsWithin(0, 1024));
    }

    @Test
    void regressionEvaluationReportsRmseAndNoConfusion() {
        // One output y = 2x + 1 against targets 3 and 0 at x = 1 and x = 0: errors 0 and 1, RMSE √(1/2).
        Network net = new Network(new int[] {1, 1}, Activation.IDENTITY, new MeanSquaredError());
        RowBlock block = RowBlock.regression(2, 1, new float[] {1f, 0f}, 1, new float[] {3f, 0f});
        Network.Evaluation eval = net.evaluate(new float[] {2f, 1f}, block, net.newWorkspace(4));
        assertEquals(2, eval.count());
        assertEquals(0, eval.classes());
        assertEquals(0, eval.confusion().length);
        // Exact: the errors 0 and 1 are exact in float32, ½·1² and √(2·0.5 / 2) = √0.5 are correctly rounded.
        assertEquals(0.5, eval.lossSum());
        assertEquals(Math.sqrt(0.5), eval.rmse());
        assertEquals(Math.sqrt(0.5), eval.plus(eval).rmse());
    }

    @Test
    void regressionNeedsSquaredErrorAndMatchingWidth() {
        RowBlock block = RowBlock.regression(1, 1, new float[] {1f}, 1, new float[] {3f});
        Network softmax = new Network(new int[] {1, 2}, Activation.IDENTITY, new SoftmaxCrossEntropy());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> softmax.evaluate(new float[4], block, softmax.newWorkspace(1)));
        assertTrue(e.getMessage().contains("1 target values per row but the network has 2 outputs"), e::getMessage);
        Network ce = new Network(new int[] {1, 1}, Activation.IDENTITY, new SoftmaxCrossEntropy());
        e = assertThrows(IllegalArgumentException.class, () -> ce.evaluate(new float[2], block, ce.newWorkspace(1)));
        assertTrue(e.getMessage().contains("need --loss mse"), e::getMessage);
    }

    @Test
    void reluProbesThatCrossAKinkAreSkippedNotFailed() {
        Network net = new Network(SIZES, Activation.RELU, new SoftmaxCrossEntropy());
        // Many rows and a large step: some ±h surely flips a unit; without the regime check those probes fail.
        RowBlock block = randomBlock(3, 40);
        float[] params = net.initParams(WeightInit.parse("auto"), 2);
        GradientCheck.Result result = GradientCheck.checkNetwork(net, params, block, 0.05, Tolerances.FLOOR, 1);
        assertTrue(result.kinksSkipped() > 0, result::toString);
        assertEquals(net.numParams(), result.probes() + result.kinksSkipped());
        assertTrue(result.maxRelativeError() < Tolerances.MAX_RELATIVE_ERROR, result::toString);
    }

    @Test
    void checkerRejectsASlightlyWrongGradient() {
        Network net = new Network(SIZES, Activation.TANH, new SoftmaxCrossEntropy());
        float[] params = net.initParams(WeightInit.parse("auto"), 5);
        RowBlock block = randomBlock(7, 9);
        Workspace ws = net.newWorkspace(16);
        float[] grad = new float[net.numParams()];
        net.accumulateGradient(params, block, identity(9), 0, 9, ws, grad);
        int worst = 0;
        for (int i = 1; i < grad.length; i++) {
            worst = Math.abs(grad[i]) > Math.abs(grad[worst]) ? i : worst;
        }
        grad[worst] *= 1.05f;
        GradientCheck.Result result = GradientCheck.check(params, grad, () -> net.evaluate(params, block, ws).lossSum(),
                Tolerances.H, Tolerances.FLOOR, 0, 1);
        assertEquals(worst, result.worstIndex());
        assertTrue(result.maxRelativeError() > Tolerances.MAX_RELATIVE_ERROR, result::toString);
    }

    @Test
    void chunkedBatchGivesTheSameGradientAndAccumulates() {
        Network net = new Network(SIZES, Activation.RELU, new SoftmaxCrossEntropy());
        float[] params = net.initParams(WeightInit.parse("he"), 1);
        RowBlock block = randomBlock(2, 20);
        int[] order = {19, 3, 7, 7, 0, 12, 5, 18, 1, 2, 11};
        float[] whole = new float[net.numParams()];
        float[] chunked = new float[net.numParams()];
        double lossWhole = net.accumulateGradient(params, block, order, 1, 10, net.newWorkspace(64), whole);
        double lossChunked = net.accumulateGradient(params, block, order, 1, 10, net.newWorkspace(3), chunked);
        // Same sums in a different float association order. Two orders of a float32 sum of n terms differ by at most
        // 2·γ_(n-1)·Σ|terms| (Higham), γ_m ≈ m·2^-24: for the 10 rows and the largest component (9.9, its terms of
        // one sign) 1.06e-5; measured 9.5e-7. Accumulated twice, 20 terms: measured 1.9e-6. The loss, summed in double
        // row by row, came out equal; 1e-5 of a loss sum near 25 leaves room for a BLAS whose blocking moves a logit
        // by an ulp.
        assertArrayEquals(whole, chunked, 1e-5f);
        assertEquals(lossWhole, lossChunked, 1e-5);
        net.accumulateGradient(params, block, order, 1, 10, net.newWorkspace(3), chunked);
        for (int i = 0; i < whole.length; i++) {
            assertEquals(2 * whole[i], chunked[i], 2e-5f);
        }
    }

    @Test
    void gradientOverwritesWhatAccumulateGradientAddsToZeros() {
        Network net = new Network(SIZES, Activation.RELU, new SoftmaxCrossEntropy());
        float[] params = net.initParams(WeightInit.parse("he"), 1);
        RowBlock block = randomBlock(2, 20);
        int[] order = {19, 3, 7, 7, 0, 12, 5, 18, 1, 2, 11};
        float[] added = new float[net.numParams()];
        double lossAdded = net.accumulateGradient(params, block, order, 1, 10, net.newWorkspace(3), added);
        // Garbage first: the overwrite must not read it, in the first chunk of 3 rows or the three after.
        float[] written = new float[net.numParams()];
        java.util.Arrays.fill(written, Float.NaN);
        double lossWritten = net.gradient(params, block, order, 1, 10, net.newWorkspace(3), written);
        // A product written is the product added to zero, and the bias sums start from the first row either way.
        assertArrayEquals(added, written, 0f);
        assertEquals(lossAdded, lossWritten, 0.0);
        java.util.Arrays.fill(written, Float.NaN);
        assertEquals(0, net.gradient(params, block, order, 1, 0, net.newWorkspace(3), written), 0.0);
        assertArrayEquals(new float[net.numParams()], written, 0f, "no rows: a zero gradient");
    }

    /** Case 14: a class never predicted, and one without rows, as scikit-learn defines their metrics. */
    @Test
    void metricsOfAClassNeverPredictedOrAbsentAreUndefinedNotZero() {
        // True class by row, predicted by column: class 1 is never predicted, class 2 has no rows and none predicted.
        Network.Evaluation eval = new Network.Evaluation(0, 10, 3, 3, new long[] {8, 0, 0, 2, 0, 0, 0, 0, 0});
        assertEquals(0.8, eval.precision(0), "8/10, one correctly rounded division: exact");
        assertTrue(Double.isNaN(eval.precision(1)), "precision of a class never predicted: 0/0");
        assertEquals(0.0, eval.recall(1));
        assertEquals(0.0, eval.f1(1), "F1 = 2·TP / (2·TP + FP + FN) = 0 / 2");
        assertTrue(Double.isNaN(eval.recall(2)));
        assertTrue(Double.isNaN(eval.f1(2)), "neither present nor predicted");
        assertEquals(java.util.List.of(2), eval.absentClasses());
    }

    @Test
    void evaluationByHand() {
        // One affine layer with W = I, b = 0: logits equal the inputs.
        Network net = new Network(new int[] {2, 2}, Activation.IDENTITY, new SoftmaxCrossEntropy());
        float[] params = {1f, 0f, 0f, 1f, 0f, 0f};
        RowBlock block = new RowBlock(3, 2, new float[] {1f, 0f, 0f, 1f, 1f, 0f}, new int[] {0, 1, 1});
        Network.Evaluation eval = net.evaluate(params, block, net.newWorkspace(2));
        assertEquals(2, eval.correct());
        assertEquals(3, eval.count());
        // Rows: (true 0, predicted 0), (1, 1), (1, 0).
        assertArrayEquals(new long[] {1, 0, 1, 1}, eval.confusion());
        // Exact: ratios of counts are one correctly rounded division each (F1 = 2/3 either way), and a + a = 2a.
        assertEquals(0.5, eval.precision(0));
        assertEquals(1.0, eval.recall(0));
        assertEquals(2 * 0.5 / 1.5, eval.f1(0));
        assertEquals(1.0, eval.precision(1));
        assertEquals(0.5, eval.recall(1));
        Network.Evaluation twice = eval.plus(eval);
        assertArrayEquals(new long[] {2, 0, 2, 2}, twice.confusion());
        assertEquals(2 * eval.lossSum(), twice.lossSum());
        // Two right answers cost log(1 + e^-1) each; the wrong one costs log(1 + e^-1) + 1. The logits are exact and
        // the loss is double arithmetic: about 15 roundings of values below 4.4, each ≤ 2^-53·4.4 ≈ 5e-16.
        assertEquals(3 * Math.log1p(Math.exp(-1)) + 1, eval.lossSum(), 1e-14);
    }

    @Test
    void layersAreViewsInOrderInOneFlatVector() {
        Network net = new Network(new int[] {784, 100, 10}, Activation.RELU, new SoftmaxCrossEntropy());
        Affine[] layers = net.layers().stream().filter(l -> l instanceof Affine).toArray(Affine[]::new);
        assertEquals(0, layers[0].offset());
        assertEquals(784 * 100 + 100, layers[1].offset());
        assertEquals(784 * 100 + 100 + 100 * 10 + 10, net.numParams());
    }

    @Test
    void initIsSeededAndScaledPerScheme() {
        Network net = new Network(new int[] {784, 100, 10}, Activation.RELU, new SoftmaxCrossEntropy());
        float[] a = net.initParams(WeightInit.parse("auto"), 42);
        assertArrayEquals(a, net.initParams(WeightInit.parse("auto"), 42));
        // The std of n = 78,400 normal draws has a relative standard error of 1/√(2n) = 0.25%: 2% is 8 standard
        // errors, and a wrong fan (√(2/100) for √(2/784)) or a missing √2 is off by 41% or more.
        assertEquals(Math.sqrt(2.0 / 784), std(a, 0, 784 * 100), 0.02 * Math.sqrt(2.0 / 784));
        assertEquals(0.01, std(net.initParams(WeightInit.parse("0.01"), 42), 0, 784 * 100), 0.0002);
        float[] xavier = new Network(new int[] {784, 100, 10}, Activation.SIGMOID, new SoftmaxCrossEntropy())
                .initParams(WeightInit.parse("auto"), 42);
        assertEquals(Math.sqrt(1.0 / 784), std(xavier, 0, 784 * 100), 0.02 * Math.sqrt(1.0 / 784));
        for (int b = 784 * 100; b < 784 * 100 + 100; b++) {
            assertEquals(0f, a[b], "biases start at zero");
        }
    }

    @Test
    void mismatchedFeatureCountIsRefusedWithBothNumbers() {
        Network net = new Network(SIZES, Activation.RELU, new SoftmaxCrossEntropy());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.evaluate(net.initParams(WeightInit.parse("auto"), 1), new RowBlock(1, 5, new float[5],
                        new int[1]), net.newWorkspace(4)));
        assertTrue(e.getMessage().contains("5 features") && e.getMessage().contains("has 6"), e.getMessage());
    }

    private static final double KINK_MARGIN = 0.05;

    /**
     * Initial parameters (trying seeds 1, 2, ...) whose hidden pre-activations on {@code block} all stay at least
     * {@link #KINK_MARGIN} away from 0. A ±h probe of one parameter moves a pre-activation by far less than that
     * here, so no probe crosses ReLU's kink, where central differences are meaningless; smooth activations pass
     * on the first seed or soon after.
     */
    static float[] kinkFreeParams(Network net, RowBlock block) {
        Affine[] layers = net.layers().stream().filter(l -> l instanceof Affine).toArray(Affine[]::new);
        for (long seed = 1; seed <= MAX_SEEDS; seed++) {
            float[] params = net.initParams(WeightInit.parse("auto"), seed);
            float[] in = block.features();
            double nearest = Double.MAX_VALUE;
            for (int i = 0; i < layers.length - 1; i++) {
                float[] z = new float[block.rows() * layers[i].numOut()];
                layers[i].forward(params, block.rows(), in, z);
                for (float v : z) {
                    nearest = Math.min(nearest, Math.abs(v));
                }
                net.hidden().forward(z, 0, z.length);
                in = z;
            }
            if (nearest >= KINK_MARGIN) {
                return params;
            }
        }
        throw new AssertionError("no seed in 1.." + MAX_SEEDS + " keeps every pre-activation " + KINK_MARGIN
                + " away from 0 on this block; use fewer rows");
    }

    private static final int MAX_SEEDS = 1000;

    /** Rows of N(0,1) features with labels cycling over the classes. */
    /**
     * Rows weighing (3, 0, 1) accumulate the gradient and loss of the first row three times and the third once:
     * the same sums as the unweighted block of those four rows (within float rounding of the sums' order).
     */
    @ParameterizedTest
    @MethodSource("activationsAndLosses")
    void aRowsWeightCountsItsLossThatManyTimes(Activation activation, String loss) {
        Network net = new Network(SIZES, activation, Loss.parse(loss));
        RowBlock block = randomBlock(4, 3).withWeights(new float[] {3f, 0f, 1f});
        RowBlock repeated = new RowBlock(4, SIZES[0], concat(block, 0, 0, 0, 2), new int[] {
                block.labels()[0], block.labels()[0], block.labels()[0], block.labels()[2]});
        float[] params = net.initParams(WeightInit.parse("auto"), 5);
        float[] weighted = new float[net.numParams()];
        float[] plain = new float[net.numParams()];
        double weightedLoss = net.accumulateGradient(params, block, identity(3), 0, 3, net.newWorkspace(2), weighted);
        double plainLoss = net.accumulateGradient(params, repeated, identity(4), 0, 4, net.newWorkspace(2), plain);
        // 3·g0 + g2 against g0 + g0 + g0 + g2 in float32: measured at most 1.8e-7·(1 + |g|) over the 8 cases (and
        // 1.6e-16 relative for the loss, summed in double); 1e-6, about 8 float32 ulps, leaves room for a BLAS whose
        // blocking moves a row's values by an ulp, while a weight applied twice or not at all is off by order 1.
        assertEquals(plainLoss, weightedLoss, 1e-6 * Math.abs(plainLoss));
        for (int i = 0; i < plain.length; i++) {
            assertEquals(plain[i], weighted[i], 1e-6 * (1 + Math.abs(plain[i])), "parameter " + i);
        }
        assertEquals(4.0, block.weightSum(identity(3), 0, 3));
        assertEquals(3.0, randomBlock(4, 3).weightSum(identity(3), 0, 3), "unweighted rows count 1 each");
        assertEquals(1.0, block.slice(1, 3).weightSum(identity(2), 0, 2), "a slice keeps its rows' weights");
    }

    private static float[] concat(RowBlock block, int... rows) {
        float[] x = new float[rows.length * SIZES[0]];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(block.features(), rows[i] * SIZES[0], x, i * SIZES[0], SIZES[0]);
        }
        return x;
    }

    static RowBlock randomBlock(long seed, int rows) {
        Random random = new Random(seed);
        float[] x = AffineTest.gaussian(random, rows * SIZES[0]);
        int[] labels = new int[rows];
        for (int r = 0; r < rows; r++) {
            labels[r] = r % SIZES[SIZES.length - 1];
        }
        return new RowBlock(rows, SIZES[0], x, labels);
    }

    /** Rows of N(0,1) features with N(0,1) targets, one per network output. */
    static RowBlock regressionBlock(long seed, int rows) {
        Random random = new Random(seed);
        int k = SIZES[SIZES.length - 1];
        return RowBlock.regression(rows, SIZES[0], AffineTest.gaussian(random, rows * SIZES[0]), k,
                AffineTest.gaussian(random, rows * k));
    }

    static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    private static double std(float[] a, int from, int to) {
        double sum = 0;
        double sq = 0;
        for (int i = from; i < to; i++) {
            sum += a[i];
            sq += (double) a[i] * a[i];
        }
        int n = to - from;
        double mean = sum / n;
        return Math.sqrt(sq / n - mean * mean);
    }
}
