package dev.sparknn.data;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;

/**
 * Hostile inputs for file readers, and one fuzz loop with an oracle that every reader's test shares. Mutations:
 * random bytes, or a valid file truncated, padded, or with bytes or int fields overwritten. The oracle: a reader
 * must either refuse a mutated input with its own error type, or decode it to a value that the format's writer
 * turns back into exactly those bytes; so a reader that ignores a byte (a checksum it stopped checking, trailing
 * bytes past a length it stopped checking) is caught, as is any foreign exception. Shipped in the test jar.
 */
public final class Fuzz {

    /** Decodes one input; throws the reader's own error type for input it refuses. */
    @FunctionalInterface
    public interface Decoder<T> {
        T decode(byte[] bytes) throws Exception;
    }

    /** Encodes a decoded value with the format's writer. */
    @FunctionalInterface
    public interface Encoder<T> {
        byte[] encode(T value) throws Exception;
    }

    /** What a fuzz run saw: every trial was refused with the reader's error or accepted and round-tripped. */
    public record Report(String what, int trials, int refused, int accepted) {
        @Override
        public String toString() {
            return String.format("fuzz %s: %d trials, %d refused with the reader's error, %d accepted (each "
                    + "meaning what its bytes say)", what, trials, refused, accepted);
        }
    }

    /**
     * Runs {@code trials} mutations of {@code valid} through {@code decoder}: each must be refused with
     * {@code ownError} or decode to a value that {@code encoder} turns back into exactly the mutated bytes.
     *
     * @param seal      applied to every other mutation before decoding (e.g. {@link #withValidTrailingCrc}, so the
     *                  parser itself, not only the checksum, meets the damage); {@code null} for none
     * @param onRefusal checks each refusal (e.g. that its message names the file)
     * @throws AssertionError naming the trial and the bytes on a foreign exception or an accepted input that does
     *                        not round-trip, or if nothing was refused
     */
    public static <T> Report check(String what, byte[] valid, Random random, int trials,
                                   Class<? extends Exception> ownError, Decoder<T> decoder, Encoder<T> encoder,
                                   UnaryOperator<byte[]> seal, Consumer<Exception> onRefusal) throws Exception {
        return check(what, valid, random, trials, ownError, decoder, encoder, Arrays::equals, seal, onRefusal);
    }

    /**
     * {@link #check} for a reader that canonicalises on purpose (names read case-insensitively, say): an accepted
     * input passes when {@code sameMeaning(input, reEncoded)}.
     */
    public static <T> Report check(String what, byte[] valid, Random random, int trials,
                                   Class<? extends Exception> ownError, Decoder<T> decoder, Encoder<T> encoder,
                                   java.util.function.BiPredicate<byte[], byte[]> sameMeaning,
                                   UnaryOperator<byte[]> seal, Consumer<Exception> onRefusal) throws Exception {
        if (!Arrays.equals(valid, encoder.encode(decoder.decode(valid.clone())))) {
            throw new AssertionError(what + ": the valid input itself does not round-trip, so the oracle is void");
        }
        return loop(what, valid, random, trials, ownError, decoder, seal, onRefusal, (bytes, value) -> {
            byte[] back = encoder.encode(value);
            return sameMeaning.test(bytes, back) ? null : difference(bytes, back);
        });
    }

    /** Whether {@code b} ends in the CRC-32 (as int64) of the bytes before it, as {@link #withValidTrailingCrc} makes. */
    public static boolean hasValidTrailingCrc(byte[] b) {
        if (b.length < 8) {
            return false;
        }
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 8);
        return ByteBuffer.wrap(b).getLong(b.length - 8) == crc.getValue();
    }

    /** Equal but for the ASCII case of letters: for readers that fold names to lower case. */
    public static boolean equalIgnoringAsciiCase(byte[] a, byte[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i] && !(Character.isLetter(a[i]) && Character.toLowerCase(a[i]) == Character.toLowerCase(b[i]))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Like {@link #check}, for inputs with no canonical writer (a damaged gzip stream): each mutation must be refused
     * with {@code ownError} or decode to a value {@code same} as the valid input's.
     */
    public static <T> Report checkRefusedOrUnchanged(String what, byte[] valid, Random random, int trials,
                                                     Class<? extends Exception> ownError, Decoder<T> decoder,
                                                     java.util.function.BiPredicate<T, T> same,
                                                     Consumer<Exception> onRefusal) throws Exception {
        T original = decoder.decode(valid.clone());
        return loop(what, valid, random, trials, ownError, decoder, null, onRefusal,
                (bytes, value) -> same.test(original, value) ? null : "it decodes to other values than the original");
    }

    /** Why an accepted input fails the oracle, or null. */
    private interface Oracle<T> {
        String problem(byte[] bytes, T value) throws Exception;
    }

    private static <T> Report loop(String what, byte[] valid, Random random, int trials,
                                   Class<? extends Exception> ownError, Decoder<T> decoder, UnaryOperator<byte[]> seal,
                                   Consumer<Exception> onRefusal, Oracle<T> oracle) throws Exception {
        int refused = 0;
        int accepted = 0;
        for (int trial = 0; trial < trials; trial++) {
            byte[] bytes = mutate(random, valid);
            if (seal != null && trial % 2 == 0) {
                bytes = seal.apply(bytes);
            }
            T value;
            try {
                value = decoder.decode(bytes.clone());
            } catch (Exception e) {
                if (!ownError.isInstance(e)) {
                    throw new AssertionError(what + " trial " + trial + ": " + e + " is not a "
                            + ownError.getSimpleName() + "; input " + hex(bytes), e);
                }
                onRefusal.accept(e);
                refused++;
                continue;
            }
            String problem = oracle.problem(bytes, value);
            if (problem != null) {
                throw new AssertionError(what + " trial " + trial + ": accepted an input that does not mean what "
                        + "it says: " + problem + "\n  input " + hex(bytes));
            }
            accepted++;
        }
        Report report = new Report(what, trials, refused, accepted);
        System.out.println(report);
        if (refused == 0) {
            throw new AssertionError(report + ": nothing refused, so the mutations do not reach the checks");
        }
        return report;
    }

    /** Where {@code input} and its re-encoding first differ, with the bytes around that offset. */
    private static String difference(byte[] input, byte[] back) {
        int at = Arrays.mismatch(input, back);
        int from = Math.max(0, at - 16);
        return String.format("it re-encodes to %d bytes (input: %d), first different at offset %d:%n  input      %s%n"
                + "  re-encoded %s", back.length, input.length, at, window(input, from), window(back, from));
    }

    private static String window(byte[] b, int from) {
        int to = Math.min(b.length, from + 48);
        StringBuilder text = new StringBuilder();
        for (int i = from; i < to; i++) {
            text.append(b[i] >= 32 && b[i] < 127 ? (char) b[i] : '.');
        }
        return HexFormat.of().formatHex(b, Math.min(from, to), to) + "  " + text;
    }

    private static String hex(byte[] b) {
        String h = HexFormat.of().formatHex(b, 0, Math.min(b.length, 96));
        return b.length + " bytes " + h + (b.length > 96 ? "…" : "");
    }

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
