package dev.sparknn.train.round;

import dev.sparknn.ops.Network;
import dev.sparknn.train.Optimizer;

/**
 * One optimizer step from a step's gradient sum: the mean (and clipping) as one divisor, then the optimizer's fused
 * float32 pass ({@link Optimizer#step}); and the finiteness checks around it. The same code runs on the driver
 * ({@code H = 1}, from the partitions' summed payload) and in a partition ({@code H > 1}, from its own sum), so that
 * with one partition {@code H} local steps equal {@code H} synchronous ones bit for bit.
 */
final class MeanGradient {

    private MeanGradient() {
    }

    /**
     * {@code params := optimizer's update with the mean gradient gradSum / count}, clipped to an L2 norm of at most
     * {@code clipNorm} (0: no clipping).
     *
     * @param gradSum {@code [numParams]} or longer: Σ ∂loss/∂params over the step's {@code count} samples (or
     *                summed row weights)
     */
    static void step(Network net, Optimizer optimizer, float[] params, float[] gradSum, double count, double clipNorm,
                     double lr, long t) {
        // Non-trained state (running statistics) carries its new value, not a gradient: it bypasses the optimizer.
        float[] state = net.takeState(gradSum, count);
        optimizer.step(params, gradSum, divisor(gradSum, params.length, count, clipNorm), (float) lr, t);
        net.restoreState(params, state);
    }

    /**
     * The divisor that turns a gradient sum into the step's mean gradient, clipped: {@code count}, times
     * {@code ‖sum‖ / (count·maxNorm)} when the mean's norm exceeds {@code maxNorm > 0}. The norm is added in
     * double, in a pass of its own only when clipping is on.
     */
    static float divisor(float[] sum, int n, double count, double maxNorm) {
        if (maxNorm <= 0) {
            return (float) count;
        }
        double sq = 0;
        for (int i = 0; i < n; i++) {
            sq += (double) sum[i] * sum[i];
        }
        double norm = Math.sqrt(sq) / count;
        return (float) (norm > maxNorm ? count * (norm / maxNorm) : count);
    }

    /** Null if {@code lossSum} is finite, otherwise what it is. */
    static String nonFiniteLoss(double lossSum) {
        return Double.isFinite(lossSum) ? null : "loss sum is " + lossSum;
    }

    /**
     * Null if the first {@code numParams} entries of a gradient sum are finite, otherwise the first one that is not.
     * A mean is finite exactly when its sum is, with the same non-finite value.
     */
    static String nonFiniteGradient(Network net, float[] sum) {
        for (int i = 0; i < net.numParams(); i++) {
            if (!Float.isFinite(sum[i])) {
                return "gradient of " + parameterName(net, i) + " is " + sum[i];
            }
        }
        return null;
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

    /** E.g. {@code W2[3,7] (layer 2 weights)}: the layer (1-based) and position of flat parameter {@code index}. */
    static String parameterName(Network net, int index) {
        return net.parameterName(index);
    }
}
