package dev.sparknn.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepProgressTest {

    /** The plain lines printed when updates come at {@code updates} (steps done) in an epoch of {@code steps}. */
    private static List<String> plainLines(int steps, int firstStep, int... updates) {
        StringWriter text = new StringWriter();
        try (StepProgress p = StepProgress.plain("epoch 1/5", steps, firstStep, new PrintWriter(text, true))) {
            for (int done : updates) {
                p.update(done, 0.5, 1000);
            }
        }
        return text.toString().lines().map(l -> l.replaceAll("  loss.*", "")).toList();
    }

    /**
     * The defaults: 469 steps an epoch in 8 rounds of 64 local steps, one update a round. A tenth is 46 steps; every
     * round but the last passes one (64 passes 46, 128 passes 92, ...), and the epoch's end prints the epoch line
     * instead. Before the fix, a line needed the update to land on a multiple of 46 exactly, and none did.
     */
    @Test
    void roundsOfManyStepsPrintALineForEachTenthTheyPass() {
        assertEquals(List.of("epoch 1/5  step 64/469", "epoch 1/5  step 128/469", "epoch 1/5  step 192/469",
                "epoch 1/5  step 256/469", "epoch 1/5  step 320/469", "epoch 1/5  step 384/469",
                "epoch 1/5  step 448/469"), plainLines(469, 0, 64, 128, 192, 256, 320, 384, 448, 469));
    }

    /** Synchronous steps: a line every tenth of the epoch, not every step. */
    @Test
    void singleStepsPrintEveryTenthOfTheEpoch() {
        int[] each = new int[100];
        for (int i = 0; i < each.length; i++) {
            each[i] = i + 1;
        }
        assertEquals(List.of("epoch 1/5  step 10/100", "epoch 1/5  step 20/100", "epoch 1/5  step 30/100",
                "epoch 1/5  step 40/100", "epoch 1/5  step 50/100", "epoch 1/5  step 60/100",
                "epoch 1/5  step 70/100", "epoch 1/5  step 80/100", "epoch 1/5  step 90/100"),
                plainLines(100, 0, each));
    }

    /** A round that passes several tenths prints one line; a resumed epoch counts from where it starts. */
    @Test
    void atMostOneLineARoundAndAResumedEpochStartsWhereItResumed() {
        assertEquals(List.of("epoch 1/5  step 50/100", "epoch 1/5  step 75/100"), plainLines(100, 0, 50, 75, 100));
        assertEquals(List.of("epoch 1/5  step 70/100"), plainLines(100, 64, 65, 70));
    }
}
