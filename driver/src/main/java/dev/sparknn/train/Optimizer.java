package dev.sparknn.train;

import dev.sparknn.ops.EnumNames;
import java.util.Arrays;
import java.util.Locale;

/**
 * Updates the flat parameter vector from a step's mean gradient: on the driver with {@code --local-steps 1}, and in
 * every partition, once per local step, with {@code H > 1} (see {@code dev.sparknn.train.round}).
 *
 * <p>Call order: {@link #create}, then {@link #restore} with the state to continue from (a checkpoint's, or with
 * local steps the round's broadcast), then {@link #step} once per applied update, in order, with
 * {@code t = 1, 2, …} counted over the run; the optimizer's state (velocity, moments) lives in the instance, and is
 * what a checkpoint keeps and what a round of local steps ships and averages.
 */
public sealed interface Optimizer permits Optimizer.Sgd, Optimizer.Adam {

    /**
     * {@code params := update(params, g)} with the mean gradient {@code g = gradSum / divisor}, in one pass over the
     * parameters and in float32: the division, the weight decay and the update of the state and the weights per
     * parameter, with no array of means in between. The pass runs once per local step over every parameter, so each
     * case is one loop without a branch inside, which the JIT vectorises.
     *
     * @param params  {@code [numParams]}, updated in place
     * @param gradSum at least {@code numParams} entries; the first {@code numParams} are Σ ∂loss/∂params over the
     *                step's samples
     * @param divisor the step's sample count, or more when clipping scales the mean gradient down
     * @param lr      this update's learning rate (the schedule's value)
     * @param t       1-based number of this update
     */
    void step(float[] params, float[] gradSum, float divisor, float lr, long t);

    /**
     * The state a checkpoint must keep to resume exactly, and a round of local steps ships: SGD's velocity, Adam's
     * {@code [m..., v...]}; empty for plain SGD. A view or a copy: callers read it and must not change it.
     */
    float[] state();

    /**
     * Sets the state to {@code saved}, laid out as {@link #state()}.
     *
     * @throws IllegalArgumentException if {@code saved} has another length
     */
    void restore(float[] saved);

    private static void checkLength(float[] saved, int expected) {
        if (saved.length != expected) {
            throw new IllegalArgumentException("optimizer state has " + saved.length + " values, expected "
                    + expected);
        }
    }

    /** A new optimizer of the configured kind, its state zero. */
    static Optimizer create(TrainConfig.OptimizerConfig c, int numParams) {
        return switch (c.kind()) {
            case SGD -> new Sgd(c.momentum(), false, c.weightDecay(), new float[c.momentum() == 0 ? 0 : numParams]);
            case NESTEROV -> new Sgd(c.momentum(), true, c.weightDecay(), new float[numParams]);
            case ADAM -> new Adam(c.beta1(), c.beta2(), c.eps(), c.weightDecay(), false, new float[numParams],
                    new float[numParams]);
            case ADAMW -> new Adam(c.beta1(), c.beta2(), c.eps(), c.weightDecay(), true, new float[numParams],
                    new float[numParams]);
        };
    }

    /** The optimizers {@code --optimizer} names. */
    enum Kind {
        SGD, NESTEROV, ADAM, ADAMW;

        public static Kind parse(String name) {
            return EnumNames.parse(Kind.class, "optimizer", name);
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * SGD with L2 weight decay {@code g' = g + wd·w}, and optionally momentum in the book's form:
     * {@code v := μ·v − lr·g'}, then {@code w := w + v}, or with Nesterov {@code w := w + μ·v − lr·g'}.
     * Plain SGD ({@code μ = 0}): {@code w := w − lr·g'}.
     */
    record Sgd(double mu, boolean nesterov, double weightDecay, float[] velocity) implements Optimizer {
        @Override
        public void step(float[] params, float[] gradSum, float divisor, float lr, long t) {
            int n = params.length;
            float m = (float) mu;
            float wd = (float) weightDecay;
            if (mu == 0) {
                for (int i = 0; i < n; i++) {
                    params[i] -= lr * (gradSum[i] / divisor + wd * params[i]);
                }
            } else if (nesterov) {
                for (int i = 0; i < n; i++) {
                    float g = gradSum[i] / divisor + wd * params[i];
                    float v = m * velocity[i] - lr * g;
                    velocity[i] = v;
                    params[i] += m * v - lr * g;
                }
            } else {
                for (int i = 0; i < n; i++) {
                    float v = m * velocity[i] - lr * (gradSum[i] / divisor + wd * params[i]);
                    velocity[i] = v;
                    params[i] += v;
                }
            }
        }

        @Override
        public float[] state() {
            return velocity;
        }

        @Override
        public void restore(float[] saved) {
            checkLength(saved, velocity.length);
            System.arraycopy(saved, 0, velocity, 0, saved.length);
        }
    }

    /**
     * Adam with bias correction: {@code m := β1·m + (1−β1)·g}, {@code v := β2·v + (1−β2)·g²},
     * {@code w := w − lr·m̂ / (√v̂ + ε)} with {@code m̂ = m/(1−β1^t)}, {@code v̂ = v/(1−β2^t)}. Weight decay is L2
     * ({@code g += wd·w}) for Adam and decoupled ({@code w := w − lr·wd·w} before the step) for AdamW.
     *
     * <p>{@code m} and {@code v} are arrays of their own, not halves of one: the JIT vectorises the update only when
     * it can tell that its stores do not overlap its loads (AdamW over 407k parameters, one thread: 2.7 ms a step
     * with one array, 0.34 ms with two, the same bits). {@link #state()} still lays them out as
     * {@code [m..., v...]}, as checkpoints keep them.
     *
     * @param m {@code [numParams]}, the first moment
     * @param v {@code [numParams]}, the second moment
     */
    record Adam(double beta1, double beta2, double eps, double weightDecay, boolean decoupled, float[] m, float[] v)
            implements Optimizer {
        @Override
        public void step(float[] params, float[] gradSum, float divisor, float lr, long t) {
            int n = params.length;
            // The constants in double, each rounded once: 1 − β2 from a float β2 would be off by 1e-5 relative.
            float b1 = (float) beta1;
            float b2 = (float) beta2;
            float oneMinusB1 = (float) (1 - beta1);
            float oneMinusB2 = (float) (1 - beta2);
            float c1 = (float) (1 - Math.pow(beta1, t));
            float c2 = (float) (1 - Math.pow(beta2, t));
            float e = (float) eps;
            float wd = (float) weightDecay;
            if (decoupled) {
                for (int i = 0; i < n; i++) {
                    float w = params[i];
                    float g = gradSum[i] / divisor;
                    float mi = b1 * m[i] + oneMinusB1 * g;
                    float vi = b2 * v[i] + oneMinusB2 * g * g;
                    m[i] = mi;
                    v[i] = vi;
                    w -= lr * wd * w;
                    params[i] = w - lr * (mi / c1) / ((float) Math.sqrt(vi / c2) + e);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    float w = params[i];
                    float g = gradSum[i] / divisor + wd * w;
                    float mi = b1 * m[i] + oneMinusB1 * g;
                    float vi = b2 * v[i] + oneMinusB2 * g * g;
                    m[i] = mi;
                    v[i] = vi;
                    params[i] = w - lr * (mi / c1) / ((float) Math.sqrt(vi / c2) + e);
                }
            }
        }

        /** {@code [m..., v...]}, a copy. */
        @Override
        public float[] state() {
            float[] state = Arrays.copyOf(m, 2 * m.length);
            System.arraycopy(v, 0, state, m.length, v.length);
            return state;
        }

        @Override
        public void restore(float[] saved) {
            checkLength(saved, 2 * m.length);
            System.arraycopy(saved, 0, m, 0, m.length);
            System.arraycopy(saved, m.length, v, 0, v.length);
        }
    }
}
