package dev.sparknn.ops;

/**
 * The one parser of numbers written as text, for every text input: CSV cells (training, test, {@code --validate},
 * {@code predict}) and option values (command line and config file).
 *
 * <p>A number is a plain decimal: an optional sign, digits with an optional fraction (or a fraction alone), and an
 * optional exponent ({@code 1e-3}); spaces around it are allowed. Everything else is refused, in particular what
 * Java's own parsers also take: the type suffixes {@code 1d}, {@code 0.5f}, hexadecimal floats ({@code 0x1p3}),
 * {@code NaN} and {@code Infinity}.
 */
public final class Numbers {

    private Numbers() {
    }

    /** Whether {@code text} is a decimal number as described above. */
    public static boolean isDecimal(String text) {
        String s = text.strip();
        int i = 0;
        int n = s.length();
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exponent = 0;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                exponent++;
            }
            if (exponent == 0) {
                return false;
            }
        }
        return i == n;
    }

    /** Whether {@code text} is a whole decimal number: an optional sign and digits, spaces around allowed. */
    public static boolean isInteger(String text) {
        String s = text.strip();
        int start = !s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
        if (start == s.length()) {
            return false;
        }
        for (int i = start; i < s.length(); i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code text} as the nearest float.
     *
     * @throws NumberFormatException if it is not a decimal number; the message quotes it
     */
    public static float parseFloat(String text) {
        return Float.parseFloat(check(text));
    }

    /**
     * {@code text} as the nearest double.
     *
     * @throws NumberFormatException if it is not a decimal number; the message quotes it
     */
    public static double parseDouble(String text) {
        return Double.parseDouble(check(text));
    }

    /**
     * {@code text} as a long.
     *
     * @throws NumberFormatException if it is not a whole decimal number or is out of range; the message quotes it
     */
    public static long parseLong(String text) {
        if (!isInteger(text)) {
            throw new NumberFormatException("'" + text + "' is not a whole decimal number");
        }
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new NumberFormatException("'" + text + "' is out of range");
        }
    }

    private static String check(String text) {
        if (!isDecimal(text)) {
            throw new NumberFormatException("'" + text + "' is not a decimal number");
        }
        return text.strip();
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
