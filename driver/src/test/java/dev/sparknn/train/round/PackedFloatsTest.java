package dev.sparknn.train.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.StreamCorruptedException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PackedFloatsTest {

    @Test
    void everyBitArrivesAsItLeftWhateverTheLength() throws Exception {
        Random random = new Random(3);
        // Lengths around the 16,384 values of a chunk, and none at all.
        for (int n : new int[] {0, 1, 16_383, 16_384, 16_385, 100_003}) {
            float[] values = new float[n];
            for (int i = 0; i < n; i++) {
                values[i] = Float.intBitsToFloat(random.nextInt());
            }
            if (n > 0) {
                values[n - 1] = Float.intBitsToFloat(0x7fc0_1234); // a NaN with a payload of its own
            }
            float[] back = roundTrip(new PackedFloats(values)).values();
            assertEquals(n, back.length);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(values[i]), Float.floatToRawIntBits(back[i]), "value " + i);
            }
        }
    }

    @Test
    void theWireFormIsTheLengthThenLittleEndianBytes() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            new PackedFloats(new float[] {1f, -2f}).writeExternal(out);
        }
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(expected)) {
            out.writeInt(2);
            out.write(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0});
        }
        assertArrayEquals(expected.toByteArray(), bytes.toByteArray());
    }

    @Test
    void aNegativeLengthIsRefused() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeInt(-5);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            StreamCorruptedException e = assertThrows(StreamCorruptedException.class,
                    () -> new PackedFloats().readExternal(in));
            assertEquals("packed float array of length -5", e.getMessage());
        }
    }

    private static PackedFloats roundTrip(PackedFloats packed) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(packed);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (PackedFloats) in.readObject();
        }
    }
}
