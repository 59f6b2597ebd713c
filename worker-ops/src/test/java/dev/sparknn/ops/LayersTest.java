package dev.sparknn.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The layers beyond affine and activations: gradients by central differences, and forward values by hand. */
class LayersTest {

    /** Every new layer, alone and in the combinations the book uses, with stride and padding. */
    @ParameterizedTest
    @ValueSource(strings = {
            "1x6x6,conv:2:3,tanh,affine:3",
            "2x7x7,conv:3:3:2:1,sigmoid,affine:3",
            "1x6x7,conv:2:2,relu,maxpool:2,affine:3",
            "2x5x5,maxpool:3:2,affine:3",
            "6,affine:5,batchnorm,tanh,affine:3",
            "2x4x4,conv:3:3,batchnorm,relu,affine:3",
            "6,affine:8,tanh,dropout:0.3,affine:3",
            "1x6x6,conv:2:3:1:1,relu,dropout:0.5,maxpool:2,affine:4,batchnorm,sigmoid,affine:3",
            // A convolution after another: its input gradient (col2im), with stride 1 and 2 and padding.
            "1x7x7,conv:2:3,tanh,conv:3:2:1:1,sigmoid,affine:3",
            "2x8x7,conv:2:3:1:1,tanh,conv:2:3:2:1,sigmoid,affine:3"})
    void gradientMatchesCentralDifferences(String layers) {
        Network net = new Network(layers, Activation.RELU, new SoftmaxCrossEntropy());
        RowBlock block = block(net, 5, 11);
        float[] params = net.initParams(WeightInit.parse("auto"), 3);
        GradientCheck.Result result = GradientCheck.checkNetworkPerBlock(net, params, block, Tolerances.H,
                Tolerances.FLOOR, 12);
        assertTrue(result.probes() > 10, result::toString);
        assertTrue(result.probes() - result.bothZero() > 10, result::toString);
        assertTrue(result.maxRelativeError() < Tolerances.MAX_RELATIVE_ERROR, layers + ": " + result);
    }

    @Test
    void aWrongConvolutionGradientIsCaught() {
        Network net = new Network("1x6x6,conv:2:3,tanh,affine:3", Activation.RELU, new SoftmaxCrossEntropy());
        RowBlock block = block(net, 5, 11);
        float[] params = net.initParams(WeightInit.parse("auto"), 3);
        Workspace ws = net.newWorkspace(5);
        float[] grad = new float[net.numParams()];
        net.gradient(params, block, NetworkTest.identity(5), 0, 5, ws, grad);
        grad[4] *= 1.05f;
        GradientCheck.Result r = GradientCheck.check(params, grad,
                () -> net.trainingLoss(params, block, NetworkTest.identity(5), 0, 5, ws), Tolerances.H,
                Tolerances.FLOOR, 4, 5);
        assertTrue(r.maxRelativeError() > Tolerances.MAX_RELATIVE_ERROR, r::toString);
    }

    @Test
    void convolutionIsTheDirectSumWithStrideAndPadding() {
        Shape in = new Shape(2, 5, 4);
        Convolution conv = new Convolution(in, 3, 3, 2, 1, 0);
        Network net = new Network("2x5x4,conv:3:3:2:1", Activation.RELU, new MeanSquaredError());
        assertEquals(new Shape(3, 3, 2), conv.outShape());
        Random random = new Random(5);
        float[] params = AffineTest.gaussian(random, net.numParams());
        float[] x = AffineTest.gaussian(random, 2 * in.size());
        float[] y = new float[2 * 18];
        net.outputs(params, x, 2, net.newWorkspace(2), y);
        for (int n = 0; n < 2; n++) {
            for (int f = 0; f < 3; f++) {
                for (int oy = 0; oy < 3; oy++) {
                    for (int ox = 0; ox < 2; ox++) {
                        double sum = params[conv.biasOffset() + f];
                        for (int c = 0; c < 2; c++) {
                            for (int ky = 0; ky < 3; ky++) {
                                for (int kx = 0; kx < 3; kx++) {
                                    int iy = oy * 2 - 1 + ky;
                                    int ix = ox * 2 - 1 + kx;
                                    if (iy >= 0 && iy < 5 && ix >= 0 && ix < 4) {
                                        sum += params[((f * 2 + c) * 3 + ky) * 3 + kx] * x[n * 40 + (c * 5 + iy) * 4 + ix];
                                    }
                                }
                            }
                        }
                        assertEquals(sum, y[n * 18 + (f * 3 + oy) * 2 + ox], 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void maxPoolingTakesEachWindowsFirstMaximumAndRoutesItsGradientThere() {
        Network net = new Network("1x4x4,maxpool:2,affine:1", Activation.RELU, new MeanSquaredError());
        Layer pool = net.layers().get(0);
        Workspace ws = net.newWorkspace(1);
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, -1, -2, -3, -4, 0, -5, 9, 9};
        float[] y = new float[4];
        pool.forward(null, 1, x, y, ws, 0);
        assertArrayEquals(new float[] {6, 8, 0, 9}, y);
        float[] dx = new float[16];
        pool.backward(null, 1, x, y, new float[] {1, 2, 3, 4}, dx, null, false, ws, 0);
        float[] expected = new float[16];
        expected[5] = 1;
        expected[7] = 2;
        expected[12] = 3;
        expected[14] = 4;
        assertArrayEquals(expected, dx);
    }

    /**
     * The 2x2 path and the general one, over several rows and channels, against the direct definition on values full
     * of ties ({@code −0} and {@code +0} among them, which tie): each output is its window's first maximum in reading
     * order, and its gradient goes there (added up where windows overlap).
     */
    @ParameterizedTest
    @ValueSource(strings = {"2x6x6,maxpool:2", "2x5x5,maxpool:2:1", "2x5x5,maxpool:3:2", "3x7x5,maxpool:3:1"})
    void maxPoolingMatchesTheDirectDefinitionOnTies(String layers) {
        Network net = new Network(layers + ",affine:1", Activation.RELU, new MeanSquaredError());
        MaxPooling pool = (MaxPooling) net.layers().get(0);
        Shape in = pool.inShape();
        Shape out = pool.outShape();
        int batch = 3;
        Workspace ws = net.newWorkspace(batch);
        Random random = new Random(7);
        float[] values = {-1f, -0f, 0f, 1f, 2f};
        float[] x = new float[batch * in.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = values[random.nextInt(values.length)];
        }
        float[] dy = new float[batch * out.size()];
        for (int i = 0; i < dy.length; i++) {
            dy[i] = i + 1;
        }
        float[] expectedY = new float[dy.length];
        float[] expectedDx = new float[x.length];
        int o = 0;
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < in.channels(); c++) {
                for (int oy = 0; oy < out.height(); oy++) {
                    for (int ox = 0; ox < out.width(); ox++, o++) {
                        int best = -1;
                        for (int ky = 0; ky < pool.size(); ky++) {
                            for (int kx = 0; kx < pool.size(); kx++) {
                                int i = n * in.size() + (c * in.height() + oy * pool.stride() + ky) * in.width()
                                        + ox * pool.stride() + kx;
                                best = best < 0 || x[i] > x[best] ? i : best;
                            }
                        }
                        expectedY[o] = x[best];
                        expectedDx[best] += dy[o];
                    }
                }
            }
        }
        float[] y = new float[dy.length];
        pool.forward(null, batch, x, y, ws, 0);
        assertArrayEquals(expectedY, y);
        float[] dx = new float[x.length];
        pool.backward(null, batch, x, y, dy, dx, null, false, ws, 0);
        assertArrayEquals(expectedDx, dx);
    }

    @Test
    void dropoutMasksDependOnTheStepAndTheRowNotTheBatchPosition() {
        Network net = new Network("1000,dropout:0.3,affine:1", Activation.RELU, new MeanSquaredError());
        Layer dropout = net.layers().get(0);
        Workspace ws = net.newWorkspace(2);
        float[] x = new float[2000];
        java.util.Arrays.fill(x, 1f);
        float[] a = new float[2000];
        ws.training = true;
        ws.trainingStep(Dropout.stepKey(7, 1, 5, 0, 0));
        ws.rows[0] = 10;
        ws.rows[1] = 20;
        dropout.forward(null, 2, x, a, ws, 0);
        int dropped = 0;
        for (float v : a) {
            assertTrue(v == 0f || v == (float) (1 / 0.7), "kept values are scaled by 1/(1-p): " + v);
            dropped += v == 0f ? 1 : 0;
        }
        // 2000 draws at p = 0.3: 600 expected, standard deviation 20.5.
        assertTrue(dropped > 500 && dropped < 700, dropped + " of 2000 dropped");
        float[] b = new float[2000];
        ws.rows[0] = 20;
        ws.rows[1] = 10;
        dropout.forward(null, 2, x, b, ws, 0);
        assertArrayEquals(java.util.Arrays.copyOfRange(a, 0, 1000), java.util.Arrays.copyOfRange(b, 1000, 2000));
        ws.trainingStep(Dropout.stepKey(7, 1, 6, 0, 0));
        dropout.forward(null, 2, x, b, ws, 0);
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b));
        ws.training = false;
        dropout.forward(null, 2, x, b, ws, 0);
        assertArrayEquals(x, b, "identity at inference");
    }

    @Test
    void batchNormalizationTrainsOnBatchStatisticsAndPredictsWithRunningOnes() {
        Network net = new Network("2,batchnorm,affine:2", Activation.RELU, new SoftmaxCrossEntropy());
        BatchNormalization bn = (BatchNormalization) net.layers().get(0);
        float[] params = net.initParams(WeightInit.parse("auto"), 1);
        assertEquals(1f, params[bn.gammaOffset()]);
        assertEquals(1f, params[bn.varianceOffset()]);
        // Feature 0: 1, 2, 3, 6 (mean 3, variance 3.5); feature 1: 0, 0, 0, 4 (mean 1, variance 3).
        RowBlock block = new RowBlock(4, 2, new float[] {1, 0, 2, 0, 3, 0, 6, 4}, new int[] {0, 1, 0, 1});
        float[] grad = new float[net.numParams()];
        Workspace ws = net.newWorkspace(4);
        net.gradient(params, block, NetworkTest.identity(4), 0, 4, ws, grad);
        // The running statistics' entries hold 4 × (0.9·old + 0.1·batch): their mean over the step's 4 rows is new.
        float[] state = net.takeState(grad, 4);
        assertArrayEquals(new float[] {0.3f, 0.1f, 0.9f + 0.35f, 0.9f + 0.3f}, state, 1e-6f);
        assertEquals(0f, grad[bn.meanOffset()]);
        net.restoreState(params, state);
        assertEquals(0.3f, params[bn.meanOffset()], 1e-6f);
        // In training the first row's normalised feature 0 is (1 − 3)/√3.5; at inference (1 − 0.3)/√1.25.
        float[] y = new float[2];
        ws.training = true;
        bn.forward(params, 4, block.features(), new float[8], ws, 0);
        assertEquals((1 - 3) / Math.sqrt(3.5 + 1e-5), ws.floats[0][0], 1e-5);
        ws.training = false;
        float[] out = new float[8];
        bn.forward(params, 4, block.features(), out, ws, 0);
        assertEquals((1 - 0.3) / Math.sqrt(1.25 + 1e-5), out[0], 1e-5);
    }

    private static RowBlock block(Network net, int rows, long seed) {
        Random random = new Random(seed);
        int[] labels = new int[rows];
        for (int r = 0; r < rows; r++) {
            labels[r] = r % net.numOutputs();
        }
        return new RowBlock(rows, net.numInputs(), AffineTest.gaussian(random, rows * net.numInputs()), labels);
    }
}
