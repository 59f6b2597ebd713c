package dev.sparknn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Learning rates at chosen updates, base 1.0, 10 updates per epoch, 3 epochs: worked by hand. */
class ScheduleTest {

    /**
     * Each value up to 1 (a rate from the base rate 1.0, or a clipped gradient entry) comes from at most three double
     * operations ({@code Math.pow}, {@code Math.cos}, {@code Math.sqrt}, a product or a division, each within 1 ulp),
     * plus the literal's rounding: within 4 ulps of 1 (8.9e-16).
     */
    private static final double TOLERANCE = 4 * Math.ulp(1.0);

    private static Schedule schedule(Schedule.Kind kind, int warmup) {
        return TrainConfig.builder().set(TrainOptions.SCHEDULE, kind.toString())
                .set(TrainOptions.WARMUP_STEPS, warmup).set(TrainOptions.DECAY_EVERY, 1)
                .set(TrainOptions.DECAY_FACTOR, 0.1).build().schedule().build(1.0, 10, 3);
    }

    @Test
    void constant() {
        assertEquals(1.0, schedule(Schedule.Kind.CONSTANT, 0).at(1), TOLERANCE);
        assertEquals(1.0, schedule(Schedule.Kind.CONSTANT, 0).at(30), TOLERANCE);
    }

    @Test
    void linearWarmupThenConstant() {
        Schedule s = schedule(Schedule.Kind.CONSTANT, 4);
        assertEquals(0.25, s.at(1), TOLERANCE);
        assertEquals(0.5, s.at(2), TOLERANCE);
        assertEquals(1.0, s.at(4), TOLERANCE);
        assertEquals(1.0, s.at(5), TOLERANCE);
    }

    @Test
    void stepDecaysEveryEpoch() {
        Schedule s = schedule(Schedule.Kind.STEP, 0);
        assertEquals(1.0, s.at(10), TOLERANCE);
        assertEquals(0.1, s.at(11), TOLERANCE);
        assertEquals(0.01, s.at(21), TOLERANCE);
    }

    @Test
    void cosineFromLrToNearZero() {
        Schedule s = schedule(Schedule.Kind.COSINE, 0);
        assertEquals(1.0, s.at(1), TOLERANCE);
        assertEquals(0.5, s.at(16), TOLERANCE);
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 29 / 30)), s.at(30), TOLERANCE);
    }

    @Test
    void cosineStartsAfterWarmup() {
        Schedule s = schedule(Schedule.Kind.COSINE, 10);
        assertEquals(0.1, s.at(1), TOLERANCE);
        assertEquals(1.0, s.at(10), TOLERANCE);
        assertEquals(1.0, s.at(11), TOLERANCE);
        assertEquals(0.5, s.at(21), TOLERANCE);
    }
}
