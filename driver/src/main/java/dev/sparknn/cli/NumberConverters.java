package dev.sparknn.cli;

import dev.sparknn.ops.Numbers;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values that are numbers, from the command line or a config file, read by {@link Numbers} like every
 * other number sparknn reads as text: {@code --lr 0.1d} or {@code epochs = "5L"} is refused, not read as 0.1 or 5.
 */
final class NumberConverters {

    private NumberConverters() {
    }

    /** Installs the converters on {@code cli} and the subcommands it already has. */
    static void register(CommandLine cli) {
        CommandLine.ITypeConverter<Double> real = NumberConverters::real;
        CommandLine.ITypeConverter<Float> single = s -> (float) real(s);
        CommandLine.ITypeConverter<Integer> integer = s -> Math.toIntExact(whole(s, Integer.MIN_VALUE,
                Integer.MAX_VALUE));
        CommandLine.ITypeConverter<Long> whole = s -> whole(s, Long.MIN_VALUE, Long.MAX_VALUE);
        cli.registerConverter(double.class, real).registerConverter(Double.class, real)
                .registerConverter(float.class, single).registerConverter(Float.class, single)
                .registerConverter(int.class, integer).registerConverter(Integer.class, integer)
                .registerConverter(long.class, whole).registerConverter(Long.class, whole);
    }

    private static double real(String text) {
        try {
            return Numbers.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    private static long whole(String text, long min, long max) {
        long v;
        try {
            v = Numbers.parseLong(text);
        } catch (NumberFormatException e) {
            throw new TypeConversionException(e.getMessage());
        }
        if (v < min || v > max) {
            throw new TypeConversionException("'" + text + "' is out of range [" + min + ", " + max + "]");
        }
        return v;
    }
}
