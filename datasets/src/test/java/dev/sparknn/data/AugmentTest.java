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
            // Bilinear resampling of an interior square keeps its area to within the edge blur: measured 35.984 to
            // 36.001 over these 50 copies; a lost row or column of the square (6 pixels) is far outside 0.1.
            assertEquals(36, sum(out), 0.1, "copy " + copy);
            for (float v : out) {
                // Bilinear weights (in double) add up to 1 within a few 2^-53, so the float result of values in
                // [0, 1] rounds to at most 1.
                assertTrue(v >= 0f && v <= 1f, "copy " + copy + " value " + v);
            }
        }
    }

    /**
     * The square is point-symmetric about the image centre, so a rotation about that centre leaves its centroid in
     * place: the centroid moves by the shift alone, a whole number of pixels in [-MAX_SHIFT, MAX_SHIFT] = [-2, 2]
     * on each axis. Only the float32 rounding of each pixel (≤ 6e-8) breaks the symmetry: over at most 64 inked
     * pixels within 6 px of the centre, it moves the centroid by at most 64·6e-8·6/36 ≈ 6.4e-7 px (measured 9.7e-8
     * over these 200 copies); 1e-5 px bounds it, while a shift by a fraction of a pixel is off by 0.1 or more.
     */
    @Test
    void shiftsAreWholePixelsOfAtMostTwo() {
        float[] img = square();
        int largest = 0;
        for (int copy = 1; copy <= 200; copy++) {
            float[] out = Augment.copy(img, 28, 28, 7, copy, copy);
            double mass = sum(out);
            double cx = 0;
            double cy = 0;
            for (int i = 0; i < out.length; i++) {
                cx += (i % 28) * out[i] / mass;
                cy += (i / 28) * out[i] / mass;
            }
            for (double shift : new double[] {cx - 13.5, cy - 13.5}) {
                assertEquals(Math.rint(shift), shift, 1e-5, "copy " + copy + ": a whole-pixel shift");
                assertTrue(Math.abs(shift) <= Augment.MAX_SHIFT + 1e-5, "copy " + copy + " shifted " + shift);
                largest = Math.max(largest, (int) Math.abs(Math.rint(shift)));
            }
        }
        assertEquals(2, Augment.MAX_SHIFT, "the README and the datasets help promise shifts of up to 2 pixels");
        assertEquals(2, largest, "200 copies reach the largest shift");
    }
}
