package dev.sparknn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AugmentTest {

    /** A 28x28 image with a bright 6x6 square in the middle. */
    private static float[] square() {
        float[] img = new float[28 * 28];
        for (int y = 11; y < 17; y++) {
            for (int x = 11; x < 17; x++) {
                img[y * 28 + x] = 1f;
            }
        }
        return img;
    }

    private static double sum(float[] img) {
        double s = 0;
        for (float v : img) {
            s += v;
        }
        return s;
    }

    @Test
    void copyZeroIsTheOriginalAndOtherCopiesAreSeeded() {
        float[] img = square();
        assertArrayEquals(img, Augment.copy(img, 28, 28, 1, 0, 5));
        float[] a = Augment.copy(img, 28, 28, 1, 1, 5);
        assertArrayEquals(a, Augment.copy(img, 28, 28, 1, 1, 5), "same seed, copy and row: same pixels");
        assertFalse(Arrays.equals(a, Augment.copy(img, 28, 28, 1, 2, 5)), "another copy differs");
        assertFalse(Arrays.equals(a, Augment.copy(img, 28, 28, 1, 1, 6)), "another row differs");
        assertFalse(Arrays.equals(a, Augment.copy(img, 28, 28, 2, 1, 5)), "another seed differs");
    }

    @Test
    void smallRotationsAndShiftsKeepTheInkAndTheRange() {
        float[] img = square();
        for (int copy = 1; copy <= 50; copy++) {
            float[] out = Augment.copy(img, 28, 28, 7, copy, copy);
            // Bilinear resampling of an interior square keeps its area to within the edge blur.
            assertEquals(36, sum(out), 3, "copy " + copy);
            for (float v : out) {
                assertTrue(v >= 0f && v <= 1.0001f, "copy " + copy + " value " + v);
            }
            int moved = 0;
            for (int i = 0; i < out.length; i++) {
                moved += Math.abs(out[i] - img[i]) > 1e-6 ? 1 : 0;
            }
            assertTrue(moved <= 2 * 36 + 4 * 28, "copy " + copy + " changed " + moved + " pixels: a small move");
        }
    }
}
