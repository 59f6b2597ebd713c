package dev.sparknn.ops;

/**
 * Element-wise activations, applied in place. Each derivative is written in terms of the activation's
 * output {@code y}, so the backward pass needs no copy of the pre-activation.
 */
public enum Activation {
    RELU {
        @Override
        float apply(float x) {
            return Math.max(x, 0f);
        }

        @Override
        float derivativeFromOutput(float y) {
            // 1 for every y > 0 (the smallest subnormal times 2^200 exceeds 1), 0 for y = 0: a product and a min,
            // which the JIT vectorises, where a comparison leaves a branch per element.
            return Math.min(y * 0x1p100f * 0x1p100f, 1f);
        }
    },
    SIGMOID {
        @Override
        float apply(float x) {
            // exp of a negative argument only: no overflow for large |x|.
            if (x >= 0f) {
                return (float) (1.0 / (1.0 + Math.exp(-x)));
            }
            double e = Math.exp(x);
            return (float) (e / (1.0 + e));
        }

        @Override
        float derivativeFromOutput(float y) {
            return y * (1f - y);
        }
    },
    TANH {
        @Override
        float apply(float x) {
            return (float) Math.tanh(x);
        }

        @Override
        float derivativeFromOutput(float y) {
            return 1f - y * y;
        }
    },
    IDENTITY {
        @Override
        float apply(float x) {
            return x;
        }

        @Override
        float derivativeFromOutput(float y) {
            return 1f;
        }
    };

    abstract float apply(float x);

    abstract float derivativeFromOutput(float y);

    /** Forward, in place: {@code x[off .. off+len) := f(x)}. */
    public void forward(float[] x, int off, int len) {
        if (this == IDENTITY) {
            return;
        }
        for (int i = off, end = off + len; i < end; i++) {
            x[i] = apply(x[i]);
        }
    }

    /** Backward, in place: {@code grad[i] := grad[i]·f'(x_i)} for {@code y = f(x)}; {@code y} and {@code grad} share offsets. */
    public void backward(float[] y, float[] grad, int off, int len) {
        if (this == IDENTITY) {
            return;
        }
        for (int i = off, end = off + len; i < end; i++) {
            grad[i] *= derivativeFromOutput(y[i]);
        }
    }

    /** Parses {@code relu|sigmoid|tanh|identity}, case-insensitive. */
    public static Activation parse(String name) {
        return EnumNames.parse(Activation.class, "activation", name);
    }
}
