package dev.sparknn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NumbersTest {

    @Test
    void decimalNumbersAreAccepted() {
        for (String s : new String[] {"0", "-1", "+2", "0.5", ".5", "5.", "1e-3", "1E+3", "-0.1344", " 3 ", "\t7"}) {
            assertTrue(Numbers.isDecimal(s), s);
        }
        assertEquals(0.1344f, Numbers.parseFloat(" 0.1344 "));
        assertEquals(-1e-3, Numbers.parseDouble("-1e-3"));
    }

    /** Case 3: what Java's parsers take but is no decimal number. */
    @Test
    void javaSuffixesHexAndSpecialValuesAreRefused() {
        for (String s : new String[] {"0d", "1D", "0.1344f", "2F", "0x1p3", "NaN", "Infinity", "-Infinity", "", " ",
            ".", "-", "1e", "1e+", "1.2.3", "1,5", "e3", "١"}) {
            assertFalse(Numbers.isDecimal(s), s);
        }
        NumberFormatException e = assertThrows(NumberFormatException.class, () -> Numbers.parseDouble("0.1d"));
        assertEquals("'0.1d' is not a decimal number", e.getMessage());
    }

    @Test
    void integersAreWholeDecimalNumbers() {
        assertEquals(42L, Numbers.parseLong(" 42 "));
        assertEquals(-7L, Numbers.parseLong("-7"));
        for (String s : new String[] {"1L", "0x10", "1.0", "1e3", "", "+"}) {
            assertFalse(Numbers.isInteger(s), s);
        }
        assertEquals("'99999999999999999999' is out of range",
                assertThrows(NumberFormatException.class, () -> Numbers.parseLong("99999999999999999999")).getMessage());
    }
}
