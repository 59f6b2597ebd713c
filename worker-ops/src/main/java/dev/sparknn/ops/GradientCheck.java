package dev.sparknn.ops;

import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Numerical gradient checking by central differences: for each probed {@code x[i]},
 * {@code numeric = (f(x + h·e_i) − f(x − h·e_i)) / (2h)}, compared with the analytic value by relative error
 * with an absolute floor, {@code |a − n| / max(|a|, |n|, floor)}; the floor keeps near-zero components from
 * turning float rounding noise into huge relative errors. Every probed value is restored afterwards.
 *
 * <p>Where the function has kinks (ReLU), a probe whose ±h crosses one measures nothing useful. Given a
 * {@code regime} function that tells which smooth piece the point is in, such probes are skipped and counted.
 */
public final class GradientCheck {

    private GradientCheck() {
    }

    /**
     * The worst component found.
     *
     * @param probes       probes compared
     * @param kinksSkipped probes left out because ±h crossed a kink
     * @param bothZero     compared probes whose analytic and numeric values were both exactly 0 (dead inputs):
     *                     they pass without testing anything
     */
    public record Result(double maxRelativeError, int worstIndex, double analytic, double numeric, int probes,
                         int kinksSkipped, int bothZero) {

        /** The worse of two results, with their counts added. */
        public Result combine(Result other) {
            Result worst = other.maxRelativeError > maxRelativeError ? other : this;
            return new Result(worst.maxRelativeError, worst.worstIndex, worst.analytic, worst.numeric,
                    probes + other.probes, kinksSkipped + other.kinksSkipped, bothZero + other.bothZero);
        }


        @Override
        public String toString() {
            return String.format("max relative error %.3g at index %d (analytic %.6g, numeric %.6g) over %d probes"
                    + "%s%s", maxRelativeError, worstIndex, analytic, numeric, probes,
                    kinksSkipped == 0 ? "" : " (" + kinksSkipped + " more skipped: ±h crossed a kink)",
                    bothZero == 0 ? "" : "; " + bothZero + " of them exactly 0 both ways");
        }
    }

    /**
     * Compares {@code analytic[i]} with the central difference of {@code f} at {@code x[i]}, for every
     * {@code stride}-th index starting at {@code start}.
     *
     * @param x        the point; each probed entry is perturbed by ±{@code h} and restored
     * @param analytic {@code [x.length]}, ∂f/∂x as computed by the code under test
     * @param f        evaluates the function at the current {@code x}
     */
    public static Result check(float[] x, float[] analytic, DoubleSupplier f, double h, double floor,
                               int start, int stride) {
        return check(x, analytic, f, () -> 0L, h, floor, start, x.length, stride);
    }

    /**
     * As {@link #check(float[], float[], DoubleSupplier, double, double, int, int)}, skipping probes where
     * {@code regime} differs at {@code x ± h} from its value at {@code x}.
     */
    public static Result check(float[] x, float[] analytic, DoubleSupplier f, LongSupplier regime, double h,
                               double floor, int start, int end, int stride) {
        if (analytic.length != x.length) {
            throw new IllegalArgumentException("analytic gradient has " + analytic.length + " entries, point has " + x.length);
        }
        Result worst = new Result(0, -1, 0, 0, 0, 0, 0);
        int probes = 0;
        int kinks = 0;
        int zeros = 0;
        long piece = regime.getAsLong();
        for (int i = start; i < end; i += stride) {
            float saved = x[i];
            float plus = (float) (saved + h);
            float minus = (float) (saved - h);
            x[i] = plus;
            double fPlus = f.getAsDouble();
            boolean crossed = regime.getAsLong() != piece;
            x[i] = minus;
            double fMinus = f.getAsDouble();
            crossed |= regime.getAsLong() != piece;
            x[i] = saved;
            if (crossed) {
                kinks++;
                continue;
            }
            // Divide by the step float actually took, not the nominal 2h.
            double numeric = (fPlus - fMinus) / ((double) plus - minus);
            double a = analytic[i];
            double err = Math.abs(a - numeric) / Math.max(Math.max(Math.abs(a), Math.abs(numeric)), floor);
            probes++;
            if (a == 0 && numeric == 0) {
                zeros++;
            }
            if (err >= worst.maxRelativeError) {
                worst = new Result(err, i, a, numeric, 0, 0, 0);
            }
        }
        return new Result(worst.maxRelativeError, worst.worstIndex, worst.analytic, worst.numeric, probes, kinks, zeros);
    }

    /**
     * Checks a whole network: the analytic gradient of {@code Σ loss} over every row of {@code block}, in one
     * training pass, with respect to its trained parameters ({@link Network#trainedRanges}), probing every
     * {@code stride}-th one.
     */
    public static Result checkNetwork(Network net, float[] params, RowBlock block, double h, double floor, int stride) {
        return checkNetwork(net, params, block, h, floor, net.trainedRanges(), stride);
    }

    /**
     * As above, probing each block of trained parameters (weights, biases, {@code γ}, {@code β}) with about
     * {@code probesPerBlock} evenly spaced probes, so that small blocks (biases, later layers) are checked as well as
     * the first weights.
     */
    public static Result checkNetworkPerBlock(Network net, float[] params, RowBlock block, double h, double floor,
                                              int probesPerBlock) {
        java.util.List<Integer> bounds = new java.util.ArrayList<>();
        for (Layer layer : net.layers()) {
            int[] ranges = layer.trainedRanges();
            for (int r = 0; r < ranges.length; r += 2) {
                int bias = layer instanceof Affine a ? a.biasOffset()
                        : layer instanceof Convolution c ? c.biasOffset()
                        : layer instanceof BatchNormalization bn ? bn.betaOffset() : ranges[r + 1];
                for (int[] part : new int[][] {{ranges[r], bias}, {bias, ranges[r + 1]}}) {
                    if (part[1] > part[0]) {
                        bounds.add(part[0]);
                        bounds.add(part[1]);
                    }
                }
            }
        }
        return checkNetwork(net, params, block, h, floor, bounds.stream().mapToInt(Integer::intValue).toArray(),
                -probesPerBlock);
    }

    /** {@code stride > 0}: that stride in every block; {@code stride < 0}: about {@code -stride} probes per block. */
    private static Result checkNetwork(Network net, float[] params, RowBlock block, double h, double floor,
                                       int[] bounds, int stride) {
        Workspace ws = net.newWorkspace(Math.max(1, block.rows()));
        ws.trainingStep(Dropout.stepKey(0, 0, 0, 0, 0));
        int[] order = new int[block.rows()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        float[] analytic = new float[net.numParams()];
        net.accumulateGradient(params, block, order, 0, block.rows(), ws, analytic);
        Result total = null;
        for (int b = 0; b < bounds.length; b += 2) {
            int size = bounds[b + 1] - bounds[b];
            int s = stride > 0 ? stride : Math.max(1, size / -stride);
            Result r = check(params, analytic, () -> net.trainingLoss(params, block, order, 0, block.rows(), ws),
                    () -> net.activationRegime(params, block, ws), h, floor, bounds[b], bounds[b + 1], s);
            total = total == null ? r : total.combine(r);
        }
        return total;
    }
}
