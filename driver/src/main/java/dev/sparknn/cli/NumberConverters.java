package dev.sparknn.cli;

import dev.sparknn.ops.Numbers;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/**
 * Whole-number options of a command itself ({@code --rows}, {@code --shards}), read by {@link Numbers} like every
 * other number sparknn reads as text: {@code --rows 5L} is refused, not read as 5. (The training options are parsed
 * by their declarations, see {@link DeclaredOptions}.)
 */
final class NumberConverters {

    private NumberConverters() {
    }

    /** Installs the converters on {@code cli} and the subcommands it already has. */
    static void register(CommandLine cli) {
        CommandLine.ITypeConverter<Integer> integer = s -> Math.toIntExact(whole(s, Integer.MIN_VALUE,
                Integer.MAX_VALUE));
        CommandLine.ITypeConverter<Long> whole = s -> whole(s, Long.MIN_VALUE, Long.MAX_VALUE);
        cli.registerConverter(int.class, integer).registerConverter(Integer.class, integer)
                .registerConverter(long.class, whole).registerConverter(Long.class, whole);
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
