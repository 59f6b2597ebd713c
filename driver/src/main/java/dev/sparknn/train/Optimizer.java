package dev.sparknn.train;

import dev.sparknn.ops.EnumNames;
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
     * {@code params := update(params, grad)}.
     *
     * @param params   {@code [numParams]}, updated in place
     * @param meanGrad at least {@code numParams} entries; the first {@code numParams} are ∂(mean loss)/∂params
     * @param lr       this update's learning rate (the schedule's value)
     * @param t        1-based number of this update
     */
    void step(float[] params, double[] meanGrad, double lr, long t);

    /** The state a checkpoint must keep to resume exactly (a live view; empty for plain SGD). */
    float[] state();

    /** Restores {@link #state()} from a checkpoint. */
    default void restore(float[] saved) {
        float[] state = state();
        if (saved.length != state.length) {
            throw new IllegalArgumentException("optimizer state has " + saved.length + " values, expected "
                    + state.length);
        }
        System.arraycopy(saved, 0, state, 0, saved.length);
    }

    /** A new optimizer of the configured kind, its state zero. */
    static Optimizer create(TrainConfig.OptimizerConfig c, int numParams) {
        return switch (c.kind()) {
            case SGD -> new Sgd(c.momentum(), false, c.weightDecay(), new float[c.momentum() == 0 ? 0 : numParams]);
            case NESTEROV -> new Sgd(c.momentum(), true, c.weightDecay(), new float[numParams]);
            case ADAM -> new Adam(c.beta1(), c.beta2(), c.eps(), c.weightDecay(), false, new float[2 * numParams]);
            case ADAMW -> new Adam(c.beta1(), c.beta2(), c.eps(), c.weightDecay(), true, new float[2 * numParams]);
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
        public void step(float[] params, double[] meanGrad, double lr, long t) {
            // One loop per case, with no branch inside, so that the JIT can vectorise it: the update runs once per
            // local step over every parameter, as often as the forward and backward passes.
            int n = params.length;
            if (mu == 0) {
                for (int i = 0; i < n; i++) {
                    params[i] -= (float) (lr * (meanGrad[i] + weightDecay * params[i]));
                }
            } else if (nesterov) {
                for (int i = 0; i < n; i++) {
                    double g = meanGrad[i] + weightDecay * params[i];
                    float v = (float) (mu * velocity[i] - lr * g);
                    velocity[i] = v;
                    params[i] += (float) (mu * v - lr * g);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    float v = (float) (mu * velocity[i] - lr * (meanGrad[i] + weightDecay * params[i]));
                    velocity[i] = v;
                    params[i] += v;
                }
            }
        }

        @Override
        public float[] state() {
            return velocity;
        }
    }

    /**
     * Adam with bias correction: {@code m := β1·m + (1−β1)·g}, {@code v := β2·v + (1−β2)·g²},
     * {@code w := w − lr·m̂ / (√v̂ + ε)} with {@code m̂ = m/(1−β1^t)}, {@code v̂ = v/(1−β2^t)}. Weight decay is L2
     * ({@code g += wd·w}) for Adam and decoupled ({@code w := w − lr·wd·w} before the step) for AdamW.
     *
     * @param moments {@code [m (numParams), v (numParams)]}
     */
    record Adam(double beta1, double beta2, double eps, double weightDecay, boolean decoupled, float[] moments)
            implements Optimizer {
        @Override
        public void step(float[] params, double[] meanGrad, double lr, long t) {
            int n = params.length;
            double c1 = 1 - Math.pow(beta1, t);
            double c2 = 1 - Math.pow(beta2, t);
            // One loop per case, with no branch inside (see Sgd.step).
            if (decoupled) {
                for (int i = 0; i < n; i++) {
                    double w = params[i];
                    double g = meanGrad[i];
                    double m = beta1 * moments[i] + (1 - beta1) * g;
                    double v = beta2 * moments[n + i] + (1 - beta2) * g * g;
                    moments[i] = (float) m;
                    moments[n + i] = (float) v;
                    w -= lr * weightDecay * w;
                    params[i] = (float) (w - lr * (m / c1) / (Math.sqrt(v / c2) + eps));
                }
            } else {
                for (int i = 0; i < n; i++) {
                    double w = params[i];
                    double g = meanGrad[i] + weightDecay * w;
                    double m = beta1 * moments[i] + (1 - beta1) * g;
                    double v = beta2 * moments[n + i] + (1 - beta2) * g * g;
                    moments[i] = (float) m;
                    moments[n + i] = (float) v;
                    params[i] = (float) (w - lr * (m / c1) / (Math.sqrt(v / c2) + eps));
                }
            }
        }

        @Override
        public float[] state() {
            return moments;
        }
    }
}
