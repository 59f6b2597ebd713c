package dev.sparknn.ops;

import java.io.Serializable;
import java.util.Locale;

/**
 * How affine weights are drawn: from {@code N(0, std²)} with {@code std} per layer; biases start at zero.
 *
 * @param scheme   the rule for {@code std}
 * @param fixedStd the std when {@code scheme} is {@link Scheme#FIXED}, otherwise 0
 */
public record WeightInit(Scheme scheme, double fixedStd) implements Serializable {

    /** The rules, by name as {@link #parse} accepts them. */
    public enum Scheme {
        /** He for ReLU, Xavier otherwise. */
        AUTO,
        /** {@code std = √(2/numIn)}, for ReLU. */
        HE,
        /** {@code std = √(1/numIn)}, for sigmoid and tanh (the book's form). */
        XAVIER,
        /** One std for every layer, e.g. 0.01 (the book's first networks). */
        FIXED
    }

    public WeightInit {
        if ((scheme == Scheme.FIXED) != (fixedStd > 0 && Double.isFinite(fixedStd))) {
            throw new IllegalArgumentException("a fixed weight init needs a positive finite std, and only it has one; "
                    + "got " + scheme + " with std " + fixedStd);
        }
    }

    /** Parses {@code auto|he|xavier|<std>}. */
    public static WeightInit parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        for (Scheme scheme : new Scheme[] {Scheme.AUTO, Scheme.HE, Scheme.XAVIER}) {
            if (s.equals(scheme.name().toLowerCase(Locale.ROOT))) {
                return new WeightInit(scheme, 0);
            }
        }
        double std = Numbers.isDecimal(s) ? Double.parseDouble(s) : Double.NaN;
        if (!(std > 0 && Double.isFinite(std))) {
            throw new IllegalArgumentException("weight init must be auto, he, xavier or a positive std such as 0.01, "
                    + "got '" + text + "'");
        }
        return new WeightInit(Scheme.FIXED, std);
    }

    /** The std for a layer with {@code numIn} inputs followed by {@code activation}. */
    public double std(int numIn, Activation activation) {
        return switch (scheme) {
            case FIXED -> fixedStd;
            case HE -> Math.sqrt(2.0 / numIn);
            case XAVIER -> Math.sqrt(1.0 / numIn);
            case AUTO -> activation == Activation.RELU ? Math.sqrt(2.0 / numIn) : Math.sqrt(1.0 / numIn);
        };
    }

    /** The text {@link #parse} reads back into this value. */
    @Override
    public String toString() {
        return scheme == Scheme.FIXED ? Double.toString(fixedStd) : scheme.name().toLowerCase(Locale.ROOT);
    }
}
