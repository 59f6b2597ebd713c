package dev.sparknn.train.round;

import dev.sparknn.ops.Network;
import dev.sparknn.train.Optimizer;
import dev.sparknn.train.TrainConfig;
import java.util.Arrays;

/**
 * The driver's side of a round once the partitions' payloads are summed, and the training state it keeps between
 * rounds (the optimizer's, and the outer momentum buffer):
 * <ul>
 *   <li>local SGD ({@code H > 1}, {@link #average}): the sample-weighted means of the partitions' weights and
 *       optimizer states replace the current ones (plain averaging), or an outer SGD step with momentum treats
 *       {@code w − mean} as a gradient (SlowMo, Wang et al., ICLR 2020; DiLoCo, Douillard et al., 2023);</li>
 *   <li>synchronous SGD ({@code H = 1}, {@link #step}): the optimizer steps with the mean gradient, as a partition
 *       does in each of its local steps.</li>
 * </ul>
 * Either way a round whose result is not finite leaves the weights and the state as they were.
 */
final class DriverUpdate {

    private final Network net;
    private final TrainConfig.OptimizerConfig config;
    private final TrainConfig.RoundConfig rounds;
    /** The inner optimizer's state: stepped here with {@code H = 1}, broadcast to the partitions with {@code H > 1}. */
    private final Optimizer optimizer;
    /** The outer momentum buffer {@code u} of {@code --outer-momentum}; empty for plain averaging. */
    private final float[] outerVelocity;
    /** {@code [numParams]}: a synchronous step's gradient sum in float32, overwritten by every {@link #step}. */
    private final float[] gradSum;

    DriverUpdate(Network net, TrainConfig.OptimizerConfig optimizer, TrainConfig.RoundConfig rounds) {
        this.net = net;
        this.config = optimizer;
        this.rounds = rounds;
        this.optimizer = Optimizer.create(optimizer, net.numParams());
        this.outerVelocity = new float[rounds.outerMomentum() > 0 ? net.numParams() : 0];
        this.gradSum = new float[net.numParams()];
    }

    /** {@code [optimizer state..., outer momentum buffer...]}, a copy: what a checkpoint keeps besides the weights. */
    float[] state() {
        float[] inner = optimizer.state();
        float[] all = Arrays.copyOf(inner, inner.length + outerVelocity.length);
        System.arraycopy(outerVelocity, 0, all, inner.length, outerVelocity.length);
        return all;
    }

    /** @throws IllegalArgumentException if {@code saved} has another length than {@link #state()} */
    void restore(float[] saved) {
        int inner = optimizer.state().length;
        if (saved.length != inner + outerVelocity.length) {
            throw new IllegalArgumentException("training state has " + saved.length + " values, expected "
                    + (inner + outerVelocity.length));
        }
        optimizer.restore(Arrays.copyOf(saved, inner));
        System.arraycopy(saved, inner, outerVelocity, 0, outerVelocity.length);
    }

    /** What a round of local steps starts from: {@code [weights..., optimizer state...]}, a new array. */
    float[] localStart(float[] params) {
        float[] state = optimizer.state();
        float[] start = Arrays.copyOf(params, params.length + state.length);
        System.arraycopy(state, 0, start, params.length, state.length);
        return start;
    }

    /**
     * One synchronous step from the summed {@code [gradient sum..., loss sum, count]}: the gradient sum in float32,
     * as a partition has its own, then {@link MeanGradient#step}, the partitions' code for a local step.
     *
     * @return null, or which value or parameter was not finite (then {@code params} and the state are unchanged)
     */
    String step(float[] params, double[] payload, double lr, long t) {
        int n = net.numParams();
        String problem = MeanGradient.nonFiniteLoss(payload[n]);
        if (problem != null) {
            return problem;
        }
        for (int i = 0; i < n; i++) {
            gradSum[i] = (float) payload[i];
        }
        problem = MeanGradient.nonFiniteGradient(net, gradSum);
        if (problem != null) {
            return problem;
        }
        // Kept to undo an update that overflows float32 even though its gradient was finite.
        float[] paramsBefore = params.clone();
        float[] stateBefore = optimizer.state().clone();
        MeanGradient.step(net, optimizer, params, gradSum, payload[n + 1], config.clipNorm(), lr, t);
        problem = MeanGradient.nonFiniteParameter(net, params);
        if (problem != null) {
            System.arraycopy(paramsBefore, 0, params, 0, n);
            optimizer.restore(stateBefore);
        }
        return problem;
    }

    /**
     * The outer update from the summed {@code [n_p·weights..., n_p·state..., loss, count]}: the means replace the
     * weights and optimizer state (plain averaging), or with {@code --outer-momentum μ > 0} and {@code --outer-lr α},
     * {@code g = w − mean}, {@code u := μ·u + g}, {@code w := w − α·u} (Nesterov: {@code w := w − α·(g + μ·u)}).
     *
     * @return null, or which value or parameter was not finite (then nothing is changed)
     */
    String average(float[] params, double[] total) {
        int n = params.length;
        double loss = total[total.length - 2];
        double samples = total[total.length - 1];
        if (!Double.isFinite(loss)) {
            return "loss sum is " + loss;
        }
        float[] mean = new float[total.length - 2];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = (float) (total[i] / samples);
            if (!Float.isFinite(mean[i])) {
                return i < n ? "the averaged update made " + MeanGradient.parameterName(net, i) + " " + mean[i]
                        : "the averaged optimizer state at " + (i - n) + " is " + mean[i];
            }
        }
        float[] next = Arrays.copyOf(mean, n);
        float[] velocity = outerVelocity.clone();
        if (velocity.length > 0 || rounds.outerLr() != 1) {
            double mu = rounds.outerMomentum();
            for (int i = 0; i < n; i++) {
                double g = (double) params[i] - mean[i];
                double u = mu * (velocity.length > 0 ? velocity[i] : 0) + g;
                if (velocity.length > 0) {
                    velocity[i] = (float) u;
                }
                next[i] = (float) (params[i] - rounds.outerLr() * (rounds.outerNesterov() ? g + mu * u : u));
            }
            String problem = MeanGradient.nonFiniteParameter(net, next);
            if (problem != null) {
                return problem;
            }
        }
        System.arraycopy(next, 0, params, 0, n);
        System.arraycopy(velocity, 0, outerVelocity, 0, velocity.length);
        optimizer.restore(Arrays.copyOfRange(mean, n, mean.length));
        return null;
    }
}
