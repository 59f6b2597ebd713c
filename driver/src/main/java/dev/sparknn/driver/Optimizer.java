package dev.sparknn.driver;

/**
 * Updates the flat parameter vector from the step's mean gradient, on the driver.
 *
 * <p>Call order: create once per run, then {@link #step} once per optimizer step, in step order; the
 * optimizer's state (e.g. momentum velocity) lives in the instance.
 */
public sealed interface Optimizer permits Optimizer.Sgd, Optimizer.Momentum {

    /**
     * {@code params := update(params, grad)}.
     *
     * @param params   {@code [numParams]}, updated in place
     * @param meanGrad at least {@code numParams} entries; the first {@code numParams} are ∂(mean loss)/∂params
     */
    void step(float[] params, double[] meanGrad);

    /** The state a checkpoint must keep to resume exactly: empty for SGD, the velocity for momentum (live view). */
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

    /** SGD when {@code momentum} is 0, SGD with momentum otherwise. */
    static Optimizer create(double lr, double momentum, int numParams) {
        return momentum == 0 ? new Sgd(lr) : new Momentum(lr, momentum, new float[numParams]);
    }

    /** {@code w := w − lr·g}. */
    record Sgd(double lr) implements Optimizer {
        private static final float[] NONE = new float[0];

        @Override
        public float[] state() {
            return NONE;
        }

        @Override
        public void step(float[] params, double[] meanGrad) {
            for (int i = 0; i < params.length; i++) {
                params[i] -= (float) (lr * meanGrad[i]);
            }
        }
    }

    /** {@code v := μ·v − lr·g; w := w + v} (the book's form; {@code v} starts at 0). */
    record Momentum(double lr, double mu, float[] velocity) implements Optimizer {
        @Override
        public float[] state() {
            return velocity;
        }

        @Override
        public void step(float[] params, double[] meanGrad) {
            for (int i = 0; i < params.length; i++) {
                velocity[i] = (float) (mu * velocity[i] - lr * meanGrad[i]);
                params[i] += velocity[i];
            }
        }
    }
}
