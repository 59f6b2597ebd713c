package dev.sparknn.train;

import dev.sparknn.ops.Numbers;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * One training option, declared once in {@link TrainOptions}: its name, value type, default, documentation and
 * validator. The command line ({@code --name}), the {@code --config} file loader (key {@code name}), the
 * checked {@code conf/train.conf}, the README's options table, {@link TrainConfig} and the library's defaults are
 * all derived from these declarations, so they cannot drift apart.
 *
 * <p>Values are held in their canonical form: {@link #parse} turns text (a command-line argument, a HOCON value)
 * into it, lower-casing names such as {@code --optimizer SGD}; {@link #text} turns it back. A declaration is built
 * by the helpers below ({@code integer("epochs", "N", 5).doc(...).require(...).build()}), each step a new value.
 *
 * @param name          the name without dashes, e.g. {@code batch-size}: the {@code --config} key and the spark.ml
 *                      param's stem
 * @param type          {@code Integer}, {@code Long}, {@code Double}, {@code Boolean}, {@code String} or
 *                      {@code int[]}
 * @param label         the placeholder in help and the README, e.g. {@code N}
 * @param doc           what the option does, in Markdown (code in backticks), without the default: the README's text
 * @param shapesWeights whether the option shapes the trained weights: such options are recorded in checkpoints and
 *                      must match when a run resumes (see {@link TrainConfig#identity()})
 * @param fallback      the value the option takes when given alone on the command line with no value
 *                      ({@code --standardize}), or null
 * @param <T>           the value's type
 */
public record TrainOption<T>(String name, Class<T> type, String label, T defaultValue, String doc,
                             boolean shapesWeights, String fallback, Function<String, T> parser,
                             BiFunction<String, T, String> validator) {

    /** The default, already valid (a declaration with an invalid default fails when the class loads). */
    @Override
    public T defaultValue() {
        return defaultValue instanceof int[] a ? type.cast(a.clone()) : defaultValue;
    }

    /** The command-line form, {@code --batch-size}. */
    public String flag() {
        return "--" + name;
    }

    /** {@link #text} of the default, as {@code --help}, the README and conf/train.conf show it. */
    public String defaultText() {
        return text(defaultValue);
    }

    /**
     * {@link #doc} as plain text, for {@code --help} and spark.ml param docs: no backticks, and a link to a README
     * section ({@code [Data formats](#data-formats)}) becomes its name ({@code the README's Data formats}).
     */
    public String plainDoc() {
        return doc.replace("`", "").replaceAll("\\[([^]]+)]\\(#[^)]*\\)", "the README's $1");
    }

    /**
     * Why {@code value} is not allowed, in the words the command line uses ({@code "--lr must be a positive finite
     * number, got -1.0"}), or empty if it is valid. Cross-option rules (such as {@code nesterov} needing momentum)
     * are checked by {@link TrainConfig}.
     */
    public Optional<String> problem(T value) {
        if (value == null) {
            return Optional.of(flag() + " needs a value");
        }
        return Optional.ofNullable(validator.apply(flag(), value));
    }

    /**
     * Returns {@code value} if it is valid.
     *
     * @throws TrainConfig.ConfigException with {@link #problem}'s message otherwise
     */
    public T check(T value) {
        problem(value).ifPresent(message -> {
            throw new TrainConfig.ConfigException(message);
        });
        return value;
    }

    /**
     * The canonical, validated value of {@code text}: a command-line argument or a HOCON value's text.
     *
     * @throws TrainConfig.ConfigException naming the option and the text when it does not parse or is invalid
     */
    public T parse(String text) {
        T value;
        try {
            value = parser.apply(text.trim());
        } catch (TrainConfig.ConfigException e) {
            throw e;
        } catch (NumberFormatException e) {
            throw new TrainConfig.ConfigException(flag() + ": " + e.getMessage());   // it quotes the text
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            throw new TrainConfig.ConfigException(flag() + (message.startsWith("must") ? " " : ": ") + message);
        }
        return check(value);
    }

    /**
     * {@code value} as {@link #parse} reads it back: {@code 784,512,10} for layers, {@code 1e-8} and {@code 0.1} for
     * doubles (whole numbers without a fraction), the canonical name for the rest.
     */
    public String text(T value) {
        if (value instanceof int[] a) {
            return Arrays.stream(a).mapToObj(Integer::toString).collect(Collectors.joining(","));
        }
        if (value instanceof Double d) {
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return Long.toString(d.longValue());
            }
            return Double.toString(d).replace("E", "e").replace(".0e", "e");
        }
        return String.valueOf(value);
    }

    /** {@code value} of this option's type, or a ClassCastException naming the option. */
    public T cast(Object value) {
        if (!type.isInstance(value)) {
            throw new ClassCastException(flag() + " takes " + type.getSimpleName() + ", got "
                    + (value == null ? "null" : value.getClass().getSimpleName()));
        }
        return type.cast(value);
    }

    @Override
    public String toString() {
        return flag();
    }

    // ---- declaration helpers, used by TrainOptions; the validator accepts every value until one is given ----

    private static <T> TrainOption<T> declare(String name, Class<T> type, String label, T defaultValue,
                                              Function<String, T> parser) {
        return new TrainOption<>(name, type, label, defaultValue, null, false, null, parser, (flag, v) -> null);
    }

    static TrainOption<Integer> integer(String name, String label, int defaultValue) {
        return declare(name, Integer.class, label, defaultValue, TrainOption::parseInt);
    }

    static TrainOption<Long> longInteger(String name, String label, long defaultValue) {
        return declare(name, Long.class, label, defaultValue, Numbers::parseLong);
    }

    static TrainOption<Double> real(String name, String label, double defaultValue) {
        return declare(name, Double.class, label, defaultValue, Numbers::parseDouble);
    }

    static TrainOption<Boolean> flag(String name, boolean defaultValue) {
        return declare(name, Boolean.class, "BOOL", defaultValue, TrainOption::parseBoolean);
    }

    static TrainOption<String> string(String name, String label, String defaultValue) {
        return declare(name, String.class, label, defaultValue, s -> s);
    }

    /**
     * A name from a closed set, held in the canonical form {@code canonical} returns (lower case); {@code canonical}
     * throws IllegalArgumentException, saying what it expected, for any other name.
     */
    static TrainOption<String> choice(String name, String label, String defaultValue,
                                      Function<String, String> canonical) {
        return normalized(name, label, defaultValue, canonical).validate((flag, v) -> {
            try {
                canonical.apply(v.trim());
                return null;
            } catch (IllegalArgumentException e) {
                return flag + ": " + e.getMessage();
            }
        });
    }

    /** Text held in the form {@code canonical} returns, e.g. a column list without spaces. */
    static TrainOption<String> normalized(String name, String label, String defaultValue,
                                          Function<String, String> canonical) {
        return declare(name, String.class, label, defaultValue, canonical);
    }

    static TrainOption<int[]> integers(String name, String label, int... defaultValue) {
        return declare(name, int[].class, label, defaultValue, TrainOption::parseIntegers);
    }

    TrainOption<T> doc(String text) {
        return new TrainOption<>(name, type, label, defaultValue, text, shapesWeights, fallback, parser, validator);
    }

    /** Recorded in checkpoints; must match on resume. */
    TrainOption<T> shapingWeights() {
        return new TrainOption<>(name, type, label, defaultValue, doc, true, fallback, parser, validator);
    }

    TrainOption<T> fallback(String value) {
        return new TrainOption<>(name, type, label, defaultValue, doc, shapesWeights, value, parser, validator);
    }

    /** Valid when {@code ok}; otherwise "--name {requirement}, got {value}". */
    TrainOption<T> require(Predicate<T> ok, String requirement) {
        return validate((flag, v) -> ok.test(v) ? null : flag + " " + requirement + ", got " + v);
    }

    /** Valid unless blank; otherwise "--name must not be empty". */
    TrainOption<T> nonBlank() {
        return validate((flag, v) -> v.toString().isBlank() ? flag + " must not be empty" : null);
    }

    /** Valid when {@code message(flag, value)} is null; otherwise that message. */
    TrainOption<T> validate(BiFunction<String, T, String> message) {
        return new TrainOption<>(name, type, label, defaultValue, doc, shapesWeights, fallback, parser, message);
    }

    /** The finished declaration: documented, with a valid default. */
    TrainOption<T> build() {
        Objects.requireNonNull(doc, name + ": doc");
        problem(defaultValue).ifPresent(message -> {
            throw new IllegalStateException("the default of " + flag() + " is invalid: " + message);
        });
        return this;
    }

    private static Boolean parseBoolean(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("'" + s + "' is not true or false");
        };
    }

    /** A whole decimal number ({@link Numbers}) in int range. */
    private static int parseInt(String s) {
        long v = Numbers.parseLong(s);
        if (v != (int) v) {
            throw new NumberFormatException("'" + s + "' is out of range");
        }
        return (int) v;
    }

    private static int[] parseIntegers(String s) {
        try {
            return Arrays.stream(s.replaceAll("[\\[\\]]", "").split(",")).map(String::trim)
                    .mapToInt(TrainOption::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be comma-separated integers such as 784,100,10, got '" + s + "'");
        }
    }
}
