package dev.sparknn.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one spelling of a network, for the command line, {@code --config}, the spark.ml {@code layers} Param and the
 * model file: a comma-separated list, input first.
 * <ul>
 *   <li>Widths only, {@code 784,512,10}: affine layers of those widths, with the hidden activation between them
 *       (the book's multi-layer perceptron).</li>
 *   <li>Explicit, {@code 1x28x28,conv:30:5,relu,maxpool:2,affine:100,relu,affine:10}: the input shape
 *       ({@code N}, {@code HxW} or {@code CxHxW}), then layers in order:
 *       {@code conv:FILTERS:SIZE[:STRIDE[:PADDING]]} (stride 1, padding 0), {@code maxpool:SIZE[:STRIDE]} (stride
 *       SIZE), {@code affine:N}, {@code dropout:P}, {@code batchnorm}, {@code relu|sigmoid|tanh|identity}. The
 *       hidden activation option plays no part.</li>
 * </ul>
 * Each layer's parameters follow the previous one's in the flat vector. A mistake names the token, its position and
 * the shapes that do not fit.
 */
public final class LayerSpelling {

    private LayerSpelling() {
    }

    /** The spelling with spaces removed and names lower-cased, as files record it. */
    public static String normalise(String text) {
        return String.join(",", tokens(text));
    }

    /** Whether {@code text} is a widths-only list such as {@code 784,512,10}. */
    public static boolean isWidths(String text) {
        for (String t : tokens(text)) {
            if (!t.matches("[0-9]+")) {
                return false;
            }
        }
        return true;
    }

    /**
     * The network as a run's start line shows it: a widths-only list followed by the hidden activation it puts
     * between its layers ({@code 784,512,10 relu}); an explicit list alone, since it names its activations and the
     * option plays no part.
     */
    public static String describe(String text, String activation) {
        return isWidths(text) ? text + " " + activation : text;
    }

    /**
     * The layers {@code text} spells, their offsets laid out in order from 0.
     *
     * @param hidden the activation between the affine layers of a widths-only list
     * @throws IllegalArgumentException naming the token at fault and, for a shape mistake, the shapes
     */
    public static List<Layer> layers(String text, Activation hidden) {
        List<String> tokens = tokens(text);
        List<Layer> layers = new ArrayList<>();
        if (isWidths(text)) {
            if (tokens.size() < 2) {
                throw new IllegalArgumentException("needs at least an input and an output size, got '" + text + "'");
            }
            int[] sizes = new int[tokens.size()];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = integer(tokens.get(i), tokens.get(i), i);
                if (sizes[i] == 0) {
                    throw new IllegalArgumentException(at(tokens.get(i), i) + ": sizes must be positive");
                }
            }
            long offset = 0;
            for (int i = 0; i + 1 < sizes.length; i++) {
                Affine a = new Affine(sizes[i], sizes[i + 1], checked(offset, text));
                layers.add(a);
                offset += a.numParams();
                if (i + 2 < sizes.length) {
                    layers.add(new ActivationLayer(hidden, a.outShape()));
                }
            }
            checked(offset, text);
            return layers;
        }
        Shape shape = parseShape(tokens.get(0));
        if (tokens.size() < 2) {
            throw new IllegalArgumentException("'" + text + "' has an input shape but no layers");
        }
        long offset = 0;
        for (int i = 1; i < tokens.size(); i++) {
            String token = tokens.get(i);
            Layer layer;
            try {
                layer = layer(token, shape, checked(offset, text), i);
            } catch (IllegalArgumentException e) {
                String m = e.getMessage();
                throw new IllegalArgumentException(m.startsWith("token ") ? m : at(token, i) + ": " + m, e);
            }
            layers.add(layer);
            offset += layer.numParams();
            shape = layer.outShape();
        }
        checked(offset, text);
        return layers;
    }

    private static Layer layer(String token, Shape in, int offset, int position) {
        String[] parts = token.split(":", -1);
        String name = parts[0];
        int args = parts.length - 1;
        switch (name) {
            case "conv" -> {
                arity(token, args, 2, 4, "conv:FILTERS:SIZE[:STRIDE[:PADDING]]");
                int filters = integer(parts[1], token, position);
                int size = integer(parts[2], token, position);
                int stride = args >= 3 ? integer(parts[3], token, position) : 1;
                int padding = args >= 4 ? integer(parts[4], token, position) : 0;
                if (filters == 0 || size == 0 || stride == 0) {
                    throw new IllegalArgumentException("filters, size and stride must be positive");
                }
                return new Convolution(in, filters, size, stride, padding, offset);
            }
            case "maxpool" -> {
                arity(token, args, 1, 2, "maxpool:SIZE[:STRIDE]");
                int size = integer(parts[1], token, position);
                int stride = args >= 2 ? integer(parts[2], token, position) : size;
                if (size == 0 || stride == 0) {
                    throw new IllegalArgumentException("size and stride must be positive");
                }
                return new MaxPooling(in, size, stride);
            }
            case "affine" -> {
                arity(token, args, 1, 1, "affine:N");
                int n = integer(parts[1], token, position);
                if (n == 0) {
                    throw new IllegalArgumentException("the width must be positive");
                }
                return new Affine(in.size(), n, offset);
            }
            case "dropout" -> {
                arity(token, args, 1, 1, "dropout:P");
                double p = Numbers.isDecimal(parts[1]) ? Double.parseDouble(parts[1]) : Double.NaN;
                if (!(p >= 0 && p < 1)) {
                    throw new IllegalArgumentException("the drop probability must be a number in [0, 1), got '"
                            + parts[1] + "'");
                }
                return new Dropout(in, p);
            }
            case "batchnorm" -> {
                arity(token, args, 0, 0, "batchnorm");
                return new BatchNormalization(in, offset);
            }
            case "relu", "sigmoid", "tanh", "identity" -> {
                arity(token, args, 0, 0, name);
                return new ActivationLayer(Activation.parse(name), in);
            }
            default -> {
                if (name.matches("[0-9]+")) {
                    throw new IllegalArgumentException("a bare width belongs in a widths-only list such as "
                            + "784,512,10; after an input shape write affine:" + name);
                }
                throw new IllegalArgumentException("unknown layer '" + name + "' (expected conv, maxpool, affine, "
                        + "dropout, batchnorm, relu, sigmoid, tanh or identity)");
            }
        }
    }

    /** The input shape {@code [channels, height, width]} of a valid spelling; {@code [n, 1, 1]} for widths. */
    public static Shape inputShape(String text) {
        String first = tokens(text).get(0);
        return isWidths(text) ? Shape.flat(integer(first, first, 0)) : parseShape(first);
    }

    private static Shape parseShape(String token) {
        if (!token.matches("[0-9]+(x[0-9]+){0,2}")) {
            throw new IllegalArgumentException(at(token, 0) + ": the list must start with the input shape, such as 784 "
                    + "or 1x28x28 (channels x height x width)");
        }
        String[] dims = token.split("x");
        int[] d = new int[dims.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = integer(dims[i], token, 0);
            if (d[i] == 0) {
                throw new IllegalArgumentException(at(token, 0) + ": input sizes must be positive");
            }
        }
        return switch (d.length) {
            case 1 -> Shape.flat(d[0]);
            case 2 -> new Shape(1, d[0], d[1]);
            default -> new Shape(d[0], d[1], d[2]);
        };
    }

    private static void arity(String token, int args, int min, int max, String form) {
        if (args < min || args > max) {
            throw new IllegalArgumentException("expected " + form);
        }
    }

    private static int integer(String text, String token, int position) {
        if (!text.matches("[0-9]{1,7}")) {
            throw new IllegalArgumentException(at(token, position) + ": '" + text + "' is not a size (an integer in "
                    + "[0, 9999999])");
        }
        return Integer.parseInt(text);
    }

    private static int checked(long offset, String text) {
        if (offset > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("too many parameters for one flat vector: '" + text + "'");
        }
        return (int) offset;
    }

    private static String at(String token, int position) {
        return "token " + (position + 1) + " '" + token + "'";
    }

    private static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        for (String t : text.split(",", -1)) {
            tokens.add(t.trim().toLowerCase(Locale.ROOT));
        }
        return tokens;
    }
}
