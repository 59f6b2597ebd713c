package dev.sparknn.ops;

import java.util.Arrays;
import java.util.Locale;

/** Reads an enum constant from its lower-case name, as options and files spell them. */
public final class EnumNames {

    private EnumNames() {
    }

    /**
     * The constant of {@code type} named {@code text}, case-insensitive.
     *
     * @param what names the setting in the error, e.g. {@code "activation"}
     * @throws IllegalArgumentException saying what was found and listing the accepted names
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String what, String text) {
        E[] all = type.getEnumConstants();
        for (E e : all) {
            if (e.name().equalsIgnoreCase(text)) {
                return e;
            }
        }
        String[] names = Arrays.stream(all).map(e -> e.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);
        String expected = String.join(", ", Arrays.copyOf(names, names.length - 1)) + " or " + names[names.length - 1];
        throw new IllegalArgumentException("unknown " + what + " '" + text + "' (expected " + expected + ")");
    }
}
