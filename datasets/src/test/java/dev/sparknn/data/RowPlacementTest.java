package dev.sparknn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class RowPlacementTest {

    private static final float[] PIXELS = {0f, 1f / 255f, 128f / 255f, 1f};

    @Test
    void pixelsTravelAsOneByteEachAndComeBackAsTheSameFloats() {
        LabelledRow row = new LabelledRow(PIXELS.clone(), 7, 0f, 2.5f);
        byte[] encoded = RowPlacement.encode(row);
        assertEquals(13 + PIXELS.length, encoded.length, "a byte per pixel after the 13-byte header");
        assertEquals(0, LabelledRow.CONTENT.compare(row, RowPlacement.decode(encoded)));
        assertArrayEquals(PIXELS, RowPlacement.decode(encoded).features());
    }

    @Test
    void otherValuesTravelAsFloat32Bits() {
        // 0.5 is no k/255; -0.0 must come back with its sign; the float next to 1/255 is no pixel.
        float[] x = {0.5f, -0f, Math.nextUp(1f / 255f), 1e30f};
        LabelledRow row = new LabelledRow(x.clone(), 0, -3.25f, 1f);
        byte[] encoded = RowPlacement.encode(row);
        assertEquals(13 + 4 * x.length, encoded.length);
        LabelledRow back = RowPlacement.decode(encoded);
        for (int j = 0; j < x.length; j++) {
            assertEquals(Float.floatToIntBits(x[j]), Float.floatToIntBits(back.features()[j]), "value " + j);
        }
        assertEquals(-3.25f, back.target());
    }

    @Test
    void theHashCoversFeaturesLabelTargetWeightAndSeed() {
        LabelledRow row = new LabelledRow(PIXELS.clone(), 3, 0f, 1f);
        long h = RowPlacement.hash(row, 42);
        assertEquals(h, RowPlacement.hash(new LabelledRow(PIXELS.clone(), 3, 0f, 1f), 42), "content, not identity");
        float[] other = PIXELS.clone();
        other[2] = Math.nextUp(other[2]);
        assertNotEquals(h, RowPlacement.hash(new LabelledRow(other, 3, 0f, 1f), 42), "one feature's last bit");
        assertNotEquals(h, RowPlacement.hash(new LabelledRow(PIXELS.clone(), 4, 0f, 1f), 42), "label");
        assertNotEquals(h, RowPlacement.hash(new LabelledRow(PIXELS.clone(), 3, 1f, 1f), 42), "target");
        assertNotEquals(h, RowPlacement.hash(new LabelledRow(PIXELS.clone(), 3, 0f, 2f), 42), "weight");
        assertNotEquals(h, RowPlacement.hash(row, 43), "seed");
    }

    @Test
    void eachCopyOfARowIsHeldOutOnItsOwn() {
        long h = RowPlacement.hash(new LabelledRow(PIXELS.clone(), 3, 0f, 1f), 1);
        int held = 0;
        for (int copy = 0; copy < 1000; copy++) {
            held += RowPlacement.heldOut(h, copy, 1, 0.25) ? 1 : 0;
        }
        // A binomial(1000, 0.25) count: 250 ± 14 (one standard deviation); the bounds are 7 of them.
        assertEquals(250, held, 100, "copies held out");
        assertEquals(RowPlacement.heldOut(h, 5, 1, 0.25), RowPlacement.heldOut(h, 5, 1, 0.25));
    }
}
