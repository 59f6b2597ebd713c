package dev.sparknn.train.round;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WarmUpTest {

    /** Twice the local steps, within [16, 128], in whole 16-step epochs. */
    @Test
    void stepsAreTwoRoundsWithinBoundsInWholeEpochs() {
        assertEquals(16, WarmUp.steps(1));
        assertEquals(16, WarmUp.steps(8));
        assertEquals(32, WarmUp.steps(9), "18 steps round up to two epochs");
        assertEquals(128, WarmUp.steps(64));
        assertEquals(128, WarmUp.steps(Integer.MAX_VALUE));
    }
}
