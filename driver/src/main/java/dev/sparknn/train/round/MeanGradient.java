package dev.sparknn.train.round;

import dev.sparknn.ops.Affine;
import dev.sparknn.ops.Network;

/**
 * One step's gradient sum turned into the mean the optimizer takes, checked and clipped: the same arithmetic on the
 * driver ({@code H = 1}, from the partitions' summed payload) and in a partition ({@code H > 1}, from its own sum), so
 * that with one partition {@code H} local steps equal {@code H} synchronous ones bit for bit.
 */
final class MeanGradient {

    private MeanGradient() {
    }

    /**
     * {@code mean[i] := sum[i] / count} for {@code i < numParams}, after checking the loss sum.
     *
     * @param mean {@code [numParams]} or longer, overwritten; may be {@code sum} itself
     * @return null if the loss sum and every mean is finite, otherwise which value and which parameter
     */
    static String of(Network net, double lossSum, double[] sum, double count, double[] mean) {
        if (!Double.isFinite(lossSum)) {
            return "loss sum is " + lossSum;
        }
        int n = net.numParams();
        // Divide, then check: a division loop without a branch vectorises, and the check's branch is never taken. A
        // mean is finite exactly when its sum is (count > 0), and has the same non-finite value.
        for (int i = 0; i < n; i++) {
            mean[i] = sum[i] / count;
        }
        return nonFiniteGradient(net, mean);
    }

    /** As {@link #of(Network, double, double[], double, double[])}, from a partition's float gradient sum. */
    static String of(Network net, double lossSum, float[] sum, double count, double[] mean) {
        if (!Double.isFinite(lossSum)) {
            return "loss sum is " + lossSum;
        }
        int n = net.numParams();
        for (int i = 0; i < n; i++) {
            mean[i] = sum[i] / count;
        }
        return nonFiniteGradient(net, mean);
    }

    private static String nonFiniteGradient(Network net, double[] mean) {
        for (int i = 0; i < net.numParams(); i++) {
            if (!Double.isFinite(mean[i])) {
                return "gradient of " + parameterName(net, i) + " is " + mean[i];
            }
        }
        return null;
    }

    /** {@code g := g · min(1, maxNorm / ‖g‖₂)} over the first {@code n} entries; a {@code maxNorm} of 0 does nothing. */
    static void clip(double[] g, int n, double maxNorm) {
        if (maxNorm <= 0) {
            return;
        }
        double sq = 0;
        for (int i = 0; i < n; i++) {
            sq += g[i] * g[i];
        }
        double norm = Math.sqrt(sq);
        if (norm > maxNorm) {
            double scale = maxNorm / norm;
            for (int i = 0; i < n; i++) {
                g[i] *= scale;
            }
        }
    }

    /** Null if every parameter is finite, otherwise the first one that is not. */
    static String nonFiniteParameter(Network net, float[] params) {
        for (int i = 0; i < params.length; i++) {
            if (!Float.isFinite(params[i])) {
                return "the update made " + parameterName(net, i) + " " + params[i];
            }
        }
        return null;
    }

    /** E.g. {@code W2[3,7]} or {@code b1[4]}: the layer (1-based) and position of flat parameter {@code index}. */
    static String parameterName(Network net, int index) {
        Affine[] layers = net.layers();
        for (int l = 0; l < layers.length; l++) {
            Affine a = layers[l];
            if (index < a.biasOffset()) {
                int w = index - a.offset();
                return String.format("W%d[%d,%d] (layer %d weights)", l + 1, w / a.numOut(), w % a.numOut(), l + 1);
            }
            if (index < a.offset() + a.numParams()) {
                return String.format("b%d[%d] (layer %d biases)", l + 1, index - a.biasOffset(), l + 1);
            }
        }
        throw new IllegalArgumentException("parameter index " + index + " outside [0, " + net.numParams() + ")");
    }
}
