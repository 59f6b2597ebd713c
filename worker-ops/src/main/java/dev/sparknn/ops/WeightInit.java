package dev.sparknn.ops;

import java.io.Serializable;

/**
 * How affine weights are drawn: from {@code N(0, std²)} with {@code std} per layer, biases zero.
 * <ul>
 *   <li>{@code he}: {@code std = √(2/numIn)}, for ReLU;</li>
 *   <li>{@code xavier}: {@code std = √(1/numIn)}, for sigmoid and tanh (the book's form);</li>
 *   <li>{@code auto}: He for ReLU, Xavier otherwise;</li>
 *   <li>a number, e.g. {@code 0.01}: that fixed std for every layer (the book's first networks).</li>
 * </ul>
 *
 * @param scheme   {@code auto}, {@code he}, {@code xavier} or {@code fixed}
 * @param fixedStd the std when {@code scheme} is {@code fixed}, otherwise 0
 */
public record WeightInit(String scheme, double fixedStd) implements Serializable {

    public WeightInit {
        boolean fixed = scheme.equals("fixed");
        if (!fixed && !scheme.equals("auto") && !scheme.equals("he") && !scheme.equals("xavier")) {
            throw new IllegalArgumentException("unknown weight init '" + scheme + "'");
        }
        if (fixed && !(fixedStd > 0 && Double.isFinite(fixedStd))) {
            throw new IllegalArgumentException("fixed weight init std must be a positive number, got " + fixedStd);
        }
    }

    /** Parses {@code auto|he|xavier|<std>}. */
    public static WeightInit parse(String text) {
        String s = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("auto") || s.equals("he") || s.equals("xavier")) {
            return new WeightInit(s, 0);
        }
        try {
            return new WeightInit("fixed", Double.parseDouble(s));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("weight init must be auto, he, xavier or a positive std such as 0.01, got '"
                    + text + "'");
        }
    }

    /** The std for a layer with {@code numIn} inputs followed by {@code activation}. */
    public double std(int numIn, Activation activation) {
        return switch (scheme) {
            case "fixed" -> fixedStd;
            case "he" -> Math.sqrt(2.0 / numIn);
            case "xavier" -> Math.sqrt(1.0 / numIn);
            default -> activation == Activation.RELU ? Math.sqrt(2.0 / numIn) : Math.sqrt(1.0 / numIn);
        };
    }

    @Override
    public String toString() {
        return scheme.equals("fixed") ? Double.toString(fixedStd) : scheme;
    }
}
