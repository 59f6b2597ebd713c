package dev.sparknn.train.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class StepTimesTest {

    private static ObjectNode json(StepTimes t) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        t.toJson(o);
        return o;
    }

    /** A round of {@code ms} milliseconds, all of it the job's compute, of 4 steps. */
    private static void round(StepTimes t, long ms) {
        t.add(0, ms * 1_000_000, ms * 1_000_000, 0, ms * 1_000_000, 4);
    }

    @Test
    void firstAndMedianRoundInMilliseconds() {
        StepTimes t = new StepTimes();
        round(t, 30);
        round(t, 10);
        round(t, 20);
        ObjectNode o = json(t);
        assertEquals(30.0, o.get("round_first").asDouble());
        assertEquals(20.0, o.get("round_median").asDouble());
        assertEquals(20.0, o.get("round").asDouble(), "the mean");
        round(t, 40);
        assertEquals(25.0, json(t).get("round_median").asDouble(), "an even count: the mean of the middle two");
    }

    @Test
    void keepsEveryRoundPastItsFirstCapacity() {
        StepTimes t = new StepTimes();
        for (int r = 1; r <= 41; r++) {
            round(t, r);
        }
        ObjectNode o = json(t);
        assertEquals(1.0, o.get("round_first").asDouble());
        assertEquals(21.0, o.get("round_median").asDouble());
    }

    @Test
    void noRoundsNoRoundFigures() {
        assertFalse(json(new StepTimes()).has("round_first"));
    }
}
