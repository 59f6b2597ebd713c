package dev.sparknn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SparkSessionsTest {

    @Test
    void aStartFailureWithoutAMessageIsDescribedByItsClassAndCauses() {
        assertEquals("Could not parse Master URL", SparkSessions.describe(new IllegalStateException(
                "Could not parse Master URL", new RuntimeException("inner"))), "a message is kept as it is");
        assertEquals("java.lang.IllegalStateException; caused by IOException: connection refused",
                SparkSessions.describe(new IllegalStateException((String) null,
                        new java.io.IOException("connection\n refused"))));
        assertEquals("two lines", SparkSessions.describe(new IllegalStateException("two\n  lines")));
        assertEquals("java.lang.NullPointerException", SparkSessions.describe(new NullPointerException()));
    }
}
