package dev.sparknn.data;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * Hostile inputs for file readers: random bytes, or a valid file truncated, padded, or with bytes or int fields
 * overwritten. Shipped in the test jar so that every reader's fuzz test uses the same mutations.
 */
public final class Fuzz {

    private static final int[] EXTREMES = {-1, 0, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 30, 65536};

    private Fuzz() {
    }

    public static byte[] mutate(Random random, byte[] valid) {
        byte[] b;
        switch (random.nextInt(5)) {
            case 0 -> {
                b = new byte[random.nextInt(200)];
                random.nextBytes(b);
            }
            case 1 -> b = Arrays.copyOf(valid, random.nextInt(valid.length));
            case 2 -> b = Arrays.copyOf(valid, valid.length + 1 + random.nextInt(50));
            case 3 -> {
                b = valid.clone();
                for (int k = 1 + random.nextInt(4); k > 0; k--) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
            }
            default -> {
                // A length, count or size field set to an extreme value.
                b = valid.clone();
                int at = 4 * random.nextInt(Math.max(1, b.length / 4 - 1));
                ByteBuffer.wrap(b).putInt(at, EXTREMES[random.nextInt(EXTREMES.length)]);
            }
        }
        return b;
    }

    /**
     * For formats that end in a CRC-32 stored as int64: rewrites it to match the (mutated) bytes before it, so
     * the parser itself, not only the checksum, meets the damage.
     */
    public static byte[] withValidTrailingCrc(byte[] b) {
        if (b.length >= 8) {
            CRC32 crc = new CRC32();
            crc.update(b, 0, b.length - 8);
            ByteBuffer.wrap(b).putLong(b.length - 8, crc.getValue());
        }
        return b;
    }
}
