package dev.sparknn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Values far outside a training range, counted by hand. */
class InputRangesTest {

    @Test
    void countsValuesBeyondTheRangesWidthOnEitherSide() {
        // Trained on [0, 1]: far outside is below -1 or above 2.
        InputRanges pixels = InputRanges.whole(2, 0, 1);
        InputRanges.Seen seen = pixels.scan(new float[] {0, 255, 2, -1.5f, 0.5f, 1}, 3, 2);
        assertArrayEquals(new long[] {2}, seen.outside());
        assertArrayEquals(new long[] {6}, seen.values());
        assertEquals("p.csv holds values far outside the model's training range (inputs: 2 of 6 values, seen "
                + "[-1.5, 255] against [0, 1] in training); scale the inputs as the training data was (IDX images "
                + "are read as pixel / 255), or the predictions mean little", pixels.warning(seen, "p.csv")
                .orElseThrow());
        assertTrue(pixels.warning(pixels.scan(new float[] {0, 2, -1, 0.1f}, 2, 2), "q.csv").isEmpty());
    }

    @Test
    void aTablesNumericColumnsAreCheckedOneByOneAndItsLevelsNot() {
        TableEncoding encoding = new TableEncoding(List.of(new TableEncoding.Numeric("a", 0, 10, 20, 0),
                new TableEncoding.Categorical("c", List.of("x", "y"), 0),
                new TableEncoding.Numeric("b", 0, 5, 5, 0)), "label", List.of());
        InputRanges ranges = InputRanges.of(encoding);
        assertEquals(List.of("a", "b"), ranges.names());
        // a: far outside [0, 30]; b constant 5: width max(1, 5), far outside [0, 10]. Levels are never counted.
        InputRanges.Seen seen = ranges.scan(new float[] {31, 9, 9, 11, -0.5f, 0, 1, 10}, 2, 4);
        assertArrayEquals(new long[] {2, 1}, seen.outside());
        assertEquals("t.csv holds values far outside the model's training range (a: 2 of 2 values, seen [-0.5, 31] "
                + "against [10, 20] in training; b: 1 of 2 values, seen [10, 11] against [5, 5] in training); "
                + "scale the inputs as the training data was (IDX images are read as pixel / 255), or the "
                + "predictions mean little", ranges.warning(seen, "t.csv").orElseThrow());
    }

    @Test
    void aWarningNamesTheFirstFiveGroupsAndCountsTheRest() {
        // Seven inputs checked one by one, each trained on [0, 1], all seen at 9.
        List<String> names = List.of("x0", "x1", "x2", "x3", "x4", "x5", "x6");
        List<int[]> inputs = java.util.stream.IntStream.range(0, 7).mapToObj(j -> new int[] {j}).toList();
        InputRanges ranges = new InputRanges(names, inputs, new double[7], new double[] {1, 1, 1, 1, 1, 1, 1});
        String w = ranges.warning(ranges.scan(new float[] {9, 9, 9, 9, 9, 9, 9}, 1, 7), "v").orElseThrow();
        assertTrue(w.contains("x4: 1 of 1 values, seen [9, 9] against [0, 1] in training; and 2 more); scale"), w);
        assertTrue(!w.contains("x5"), w);
    }
}
