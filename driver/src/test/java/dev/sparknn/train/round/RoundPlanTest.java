package dev.sparknn.train.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plan of an epoch's rounds, chunks and slices: pure arithmetic, checked without Spark. */
class RoundPlanTest {

    @Test
    void stepsPerEpochIsTheCeilingOfRowsOverBatchAndAtLeastOne() {
        assertEquals(469, RoundPlan.stepsPerEpoch(60_000, 128));
        assertEquals(2, RoundPlan.stepsPerEpoch(256, 128));
        assertEquals(1, RoundPlan.stepsPerEpoch(0, 128));
        assertEquals(1, RoundPlan.stepsPerEpoch(5, 128));
    }

    /** The round ends of an epoch, from its first step on. */
    private static List<Integer> roundEnds(RoundPlan plan) {
        List<Integer> ends = new ArrayList<>();
        for (int step = 0; step < plan.steps(); step = plan.roundEnd(step)) {
            ends.add(plan.roundEnd(step));
        }
        return ends;
    }

    @Test
    void roundsTakeHStepsAndStopAtEachChunksEnd() {
        // 469 steps in rounds of 64: seven full rounds and one of 21.
        assertEquals(List.of(64, 128, 192, 256, 320, 384, 448, 469), roundEnds(new RoundPlan(469, 1, 64)));
        assertEquals(8, new RoundPlan(469, 1, 64).rounds());
        // 10 steps over 3 chunks are 3, 3 and 4 steps (⌊j·10/3⌋ = 0, 3, 6, 10); rounds of 2 restart at each chunk.
        assertEquals(List.of(2, 3, 5, 6, 8, 10), roundEnds(new RoundPlan(10, 3, 2)));
        assertEquals(6, new RoundPlan(10, 3, 2).rounds());
        // H = 1: one round per step.
        assertEquals(10, new RoundPlan(10, 3, 1).rounds());
    }

    @Test
    void aRoundResumedMidwayEndsWhereTheUninterruptedOneDoes() {
        RoundPlan plan = new RoundPlan(469, 1, 64);
        assertEquals(128, plan.roundEnd(64));
        assertEquals(128, plan.roundEnd(100));
        assertEquals(469, plan.roundEnd(460));
    }

    @Test
    void chunkPositionsFollowTheFloorBounds() {
        RoundPlan plan = new RoundPlan(8, 3, 1);
        int[] positions = new int[8];
        Arrays.setAll(positions, plan::chunkPosition);
        // ⌊j·8/3⌋ = 0, 2, 5, 8: chunks of 2, 3 and 3 steps.
        assertArrayEquals(new int[] {0, 0, 1, 1, 1, 2, 2, 2}, positions);
        assertEquals(5, plan.chunkFirst(2));
        assertEquals(8, plan.chunkFirst(3));
    }

    @Test
    void eachEpochReadsEveryChunkOnceInASeededOrder() {
        RoundPlan plan = new RoundPlan(100, 4, 8);
        int[] chunks = new int[4];
        Arrays.setAll(chunks, j -> plan.chunkAt(j, 42, 1));
        int[] sorted = chunks.clone();
        Arrays.sort(sorted);
        assertArrayEquals(new int[] {0, 1, 2, 3}, sorted);
        assertEquals(0, new RoundPlan(100, 1, 8).chunkAt(0, 42, 1));
    }

    @Test
    void theSlicesOfAnEpochCoverEveryRowOnce() {
        int rows = 121;
        int steps = 4;
        int next = 0;
        for (int step = 0; step < steps; step++) {
            int[] range = RoundPlan.slice(rows, 1, 2, step, steps);
            assertEquals(next, range[0], "step " + step + " starts where the previous one ended");
            next = range[1];
        }
        assertEquals(rows, next);
        // Staggered by φ = ⌊1·4/2⌋ = 2: the second partition's remainder lands in step 1, not step 3.
        assertArrayEquals(new int[] {30, 61}, RoundPlan.slice(rows, 1, 2, 1, steps));
        assertArrayEquals(new int[] {30, 60}, RoundPlan.slice(120, 0, 2, 1, steps));
    }

    @Test
    void shuffleIsASeededPermutationPerEpochAndPartition() {
        int[] order = RoundPlan.shuffledOrder(1000, 42, 1, 0);
        int[] sorted = order.clone();
        Arrays.sort(sorted);
        int[] identity = new int[1000];
        Arrays.setAll(identity, i -> i);
        assertArrayEquals(identity, sorted);
        assertArrayEquals(order, RoundPlan.shuffledOrder(1000, 42, 1, 0));
        assertNotEquals(Arrays.toString(order), Arrays.toString(RoundPlan.shuffledOrder(1000, 42, 2, 0)));
        assertNotEquals(Arrays.toString(order), Arrays.toString(RoundPlan.shuffledOrder(1000, 42, 1, 1)));
        assertNotEquals(Arrays.toString(order), Arrays.toString(RoundPlan.shuffledOrder(1000, 43, 1, 0)));
    }

    @Test
    void aPlanNeedsAStepAChunkAndALocalStep() {
        assertThrows(IllegalArgumentException.class, () -> new RoundPlan(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new RoundPlan(1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new RoundPlan(1, 1, 0));
    }

    @Test
    void aTaskNamesItsChunksBlocksAndSteps() {
        // 10 steps over 2 chunks of 5; the round [6, 8) is steps 1 and 2 of chunk position 1.
        RoundPlan plan = new RoundPlan(10, 2, 2);
        RoundTask task = RoundTask.of(plan, 6, null, null, null, 42, 3, 6, 8, 17);
        assertEquals(plan.chunkAt(1, 42, 3), task.chunk());
        assertEquals(3, task.slots());
        assertEquals(1, task.first());
        assertEquals(2, task.count());
        assertEquals(5, task.chunkSteps());
        assertEquals(18, task.firstUpdate());
        assertEquals(2 * 2 + task.chunk(), task.block(2));
        assertArrayEquals(RoundPlan.slice(50, 2, 3, 2, 5), task.slice(50, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> RoundTask.of(plan, 5, null, null, null, 42, 3, 6, 8, 17));
    }
}
