package dev.sparknn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code auto} widths, and the spelling a width mismatch proposes. */
class DataWidthsTest {

    @Test
    void autoStandsForTheFirstAndLastWidthOnly() {
        assertEquals("5,64,3", DataWidths.resolve("auto,64,auto", 5, 3));
        assertEquals("784,64,3", DataWidths.resolve("784,64,AUTO", 5, 3));
        TrainConfig.ConfigException e = assertThrows(TrainConfig.ConfigException.class,
                () -> DataWidths.resolve("auto,auto,3", 5, 3));
        assertTrue(e.getMessage().contains("not a hidden width (position 2)"), e.getMessage());
    }

    @Test
    void aMismatchProposesTheSameNetworkWithTheDatasEnds() {
        assertEquals("5,16,3", DataWidths.propose("4,16,2", 5, 3));
        assertEquals("5,affine:32,relu,dropout:0.5,affine:3",
                DataWidths.propose("4,affine:32,relu,dropout:0.5,affine:2", 5, 3));
        // A shape is the user's to give: only the class count is proposed.
        assertEquals("1x28x28,conv:30:5,relu,maxpool:2,affine:100,relu,affine:3",
                DataWidths.propose("1x28x28,conv:30:5,relu,maxpool:2,affine:100,relu,affine:10", 784, 3));
    }
}
