package dev.sparknn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The book's worked example, computed by hand: a 2-3-2-1 network with sigmoid hidden layers and an identity output
 * (our mse head), input {@code [2.3, 1.5]}, output 0.38288404. Unlike the gradient checks, which compare the network
 * with itself, this catches an error that forward and backward share (a skipped hidden activation, a transposed
 * weight matrix, a bias added to the wrong unit).
 */
public class WorkedExampleTest {

    /** The book's weights, rows are units (its {@code W[unit][input]}); ours are {@code [input, unit]}. */
    static final double[][] W1 = {{-0.2, 0.4}, {-0.4, -0.5}, {-0.4, -0.5}};
    static final double[] B1 = {0.1, -0.1, 0.1};
    static final double[][] W2 = {{-0.2, 0.4, 0.9}, {-0.4, -0.5, -0.2}};
    static final double[] B2 = {0.2, -0.2};
    static final double[][] W3 = {{-0.5, 1.0}};
    static final double[] B3 = {0.3};
    static final float[] INPUT = {2.3f, 1.5f};
    /** The book's value, to its 8 digits. */
    public static final double BOOK_OUTPUT = 0.38288404;
    /**
     * float32 forward pass: about 25 roundings of values of order 1, each at most 2^-24 ≈ 6e-8 relative, bound the
     * error by 25 · 6e-8 ≈ 1.5e-6 (measured: 1.5e-8); the book rounds to 8 digits (5e-9). A skipped activation or a
     * transposed layer moves the output by more than 0.01.
     */
    public static final double TOLERANCE = 2e-6;

    /** The example's network, in our layout: {@code W} as {@code [numIn, numOut]}, then {@code b}, layer by layer. */
    public static Network network() {
        return new Network(new int[] {2, 3, 2, 1}, Activation.SIGMOID, new MeanSquaredError());
    }

    /** The example's weights as our flat parameter vector. */
    public static float[] params() {
        Network net = network();
        float[] p = new float[net.numParams()];
        double[][][] w = {W1, W2, W3};
        double[][] b = {B1, B2, B3};
        for (int l = 0; l < 3; l++) {
            Affine layer = (Affine) net.layers().get(2 * l);
            for (int unit = 0; unit < layer.numOut(); unit++) {
                for (int in = 0; in < layer.numIn(); in++) {
                    p[layer.offset() + in * layer.numOut() + unit] = (float) w[l][unit][in];
                }
                p[layer.biasOffset() + unit] = (float) b[l][unit];
            }
        }
        return p;
    }

    @Test
    void theHandComputationGivesTheBooksValue() {
        // Layer by layer in double: σ(W1·x + b1) = σ([0.24, -1.77, -1.57]) = [0.55971, 0.14558, 0.17223];
        // σ(W2·h1 + b2) = σ([0.30130, -0.53112]) = [0.57476, 0.37026]; W3·h2 + b3 = 0.38288.
        double[] x = {2.3, 1.5};
        double[] h1 = sigmoid(affine(W1, B1, x));
        // Double arithmetic: 2 products and 2 sums of terms whose magnitudes add to at most 1.77, each rounding
        // ≤ 2^-53 ≈ 1.1e-16 of it, plus the literals' rounding: under 7e-16.
        assertEquals(0.24, affine(W1, B1, x)[0], 1e-15);
        assertEquals(-1.77, affine(W1, B1, x)[1], 1e-15);
        assertEquals(-1.57, affine(W1, B1, x)[2], 1e-15);
        double[] h2 = sigmoid(affine(W2, B2, h1));
        assertEquals(BOOK_OUTPUT, affine(W3, B3, h2)[0], 5e-9, "the book's 8 digits");
    }

    @Test
    void theNetworkGivesTheBooksValue() {
        Network net = network();
        float[] out = new float[1];
        net.predict(params(), INPUT.clone(), 1, net.newWorkspace(1), out);
        assertEquals(BOOK_OUTPUT, out[0], TOLERANCE);
    }

    private static double[] affine(double[][] w, double[] b, double[] x) {
        double[] y = b.clone();
        for (int u = 0; u < w.length; u++) {
            for (int i = 0; i < x.length; i++) {
                y[u] += w[u][i] * x[i];
            }
        }
        return y;
    }

    private static double[] sigmoid(double[] z) {
        double[] s = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            s[i] = 1 / (1 + Math.exp(-z[i]));
        }
        return s;
    }
}
