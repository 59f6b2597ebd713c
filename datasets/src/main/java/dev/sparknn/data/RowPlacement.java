package dev.sparknn.data;

import dev.sparknn.ops.RowBlock;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Rows placed by what they hold, not by where they were read: the same rows give the same blocks, and so the
 * same weights, whatever the files' split, order and format, or a DataFrame's partitioning.
 *
 * <p>Each row gets a seeded 64-bit hash {@code h} of its content (features, label or target, weight; float bits).
 * One shuffle sends it to partition {@code h mod P}, sorted by {@code h} there; a run of equal hashes is sorted by
 * content, so exact duplicates sit together and the {@code k}-th copy of a row is known. A block holds its
 * partition's rows in that order. A held-out share is chosen by a hash of {@code (h, k)}: the copies of a row
 * fall on either side independently, as distinct rows do.
 *
 * <p>The shuffle moves each row once, as bytes: pixels ({@code k / 255f}) as one byte each, other values as float32.
 *
 * <p>Blocks differ in size by chance (binomially, a standard deviation of {@code √(N(P−1))/P} rows), and a block
 * may be empty when there are few rows; training weighs partitions by their samples, so neither changes what a
 * step computes.
 */
public final class RowPlacement {

    private RowPlacement() {
    }

    /**
     * Places {@code rows} into {@code partitions} blocks per split, each persisted.
     *
     * @param width        features per row
     * @param regression   pack targets (else class labels)
     * @param weighted     pack each row's weight (else the blocks have none: every row counts 1)
     * @param testFraction the share of rows held out as a second split; 0 for one split
     * @return the kept split, then the held-out split if {@code testFraction > 0}
     */
    public static List<JavaRDD<RowBlock>> place(JavaRDD<LabelledRow> rows, int partitions, int width,
                                                boolean regression, boolean weighted, double testFraction, long seed,
                                                StorageLevel storage) {
        if (partitions <= 0) {
            throw new IllegalArgumentException("partitions must be positive, got " + partitions);
        }
        JavaPairRDD<Long, byte[]> placed = rows.mapToPair(r -> new Tuple2<>(hash(r, seed), encode(r)))
                .repartitionAndSortWithinPartitions(new ByHash(partitions));
        List<JavaRDD<RowBlock>> splits = new ArrayList<>();
        for (boolean heldOut : testFraction > 0 ? new boolean[] {false, true} : new boolean[] {false}) {
            // Both splits read the one shuffle's output: the rows are parsed, hashed and moved once.
            splits.add(placed.mapPartitions(it -> List.of(pack(numbered(it, seed, testFraction, heldOut), width,
                    regression, weighted)).iterator()).persist(storage));
        }
        return splits;
    }

    /** A seeded hash of a row's content: features, label, target and weight, as float bits. */
    static long hash(LabelledRow r, long seed) {
        long h = mix(seed ^ 0x5DEECE66DL);
        for (float v : r.features()) {
            h = (h ^ Float.floatToIntBits(v)) * 0x9E3779B97F4A7C15L;
            h ^= h >>> 29;
        }
        h ^= (long) r.label() << 32 | Integer.toUnsignedLong(Float.floatToIntBits(r.target()));
        h = mix(h);
        return mix(h ^ Float.floatToIntBits(r.weight()));
    }

    /** Whether the {@code copy}-th copy of the rows with hash {@code h} is in the held-out share {@code fraction}. */
    static boolean heldOut(long h, long copy, long seed, double fraction) {
        return fraction > 0 && (mix(h + copy * 0x9E3779B97F4A7C15L + seed) >>> 11) * 0x1.0p-53 < fraction;
    }

    /** SplitMix64's finaliser: every input bit moves about half the output bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * The rows of one sorted partition in content order, each copy of a row numbered, keeping those on the
     * {@code heldOut} side. Holds one run of equal hashes at a time.
     */
    private static Iterator<byte[]> numbered(Iterator<Tuple2<Long, byte[]>> sorted, long seed, double fraction,
                                             boolean heldOut) {
        List<byte[]> out = new ArrayList<>();
        List<byte[]> run = new ArrayList<>();
        Tuple2<Long, byte[]> next = sorted.hasNext() ? sorted.next() : null;
        while (next != null) {
            long h = next._1();
            run.clear();
            while (next != null && next._1() == h) {
                run.add(next._2());
                next = sorted.hasNext() ? sorted.next() : null;
            }
            if (run.size() > 1) {
                run.sort(BY_CONTENT);
            }
            long copy = 0;
            for (int i = 0; i < run.size(); i++) {
                copy = i > 0 && BY_CONTENT.compare(run.get(i - 1), run.get(i)) == 0 ? copy + 1 : 0;
                if (heldOut(h, copy, seed, fraction) == heldOut) {
                    out.add(run.get(i));
                }
            }
        }
        return out.iterator();
    }

    /** Encoded rows by their decoded content: exact duplicates compare equal, whatever their encoding. */
    private static final Comparator<byte[]> BY_CONTENT = Comparator.comparing(RowPlacement::decode,
            LabelledRow.CONTENT);

    private static RowBlock pack(Iterator<byte[]> rows, int width, boolean regression, boolean weighted) {
        List<byte[]> list = new ArrayList<>();
        rows.forEachRemaining(list::add);
        int n = list.size();
        float[] x = new float[n * width];
        int[] labels = regression ? null : new int[n];
        float[] targets = regression ? new float[n] : null;
        float[] weights = weighted ? new float[n] : null;
        for (int r = 0; r < n; r++) {
            ByteBuffer row = ByteBuffer.wrap(list.get(r));
            byte kind = row.get();
            int label = row.getInt();
            float target = row.getFloat();
            float weight = row.getFloat();
            features(row, kind, x, r * width, width);
            if (regression) {
                targets[r] = target;
            } else {
                labels[r] = label;
            }
            if (weighted) {
                weights[r] = weight;
            }
        }
        RowBlock block = regression ? RowBlock.regression(n, width, x, 1, targets) : new RowBlock(n, width, x, labels);
        return block.withWeights(weights);
    }

    /** Features stored as float32. */
    private static final byte FLOATS = 0;
    /** Features that are all {@code k / 255f} for whole {@code k} in [0, 255] (pixels), stored as the bytes k. */
    private static final byte PIXELS = 1;
    private static final int HEADER = 1 + 3 * Integer.BYTES;

    /** {@code k / 255f} for every byte {@code k}: a pixel's float, looked up rather than divided for each value. */
    private static final float[] PIXEL_VALUES = new float[256];

    static {
        for (int k = 0; k < 256; k++) {
            PIXEL_VALUES[k] = k / 255f;
        }
    }

    /**
     * A row as the shuffle moves it: {@code [kind, label, target, weight, features]}, the features as bytes when
     * each is exactly a pixel's {@code k / 255f} (a quarter of the bytes, and the same floats back), else as float32.
     */
    static byte[] encode(LabelledRow r) {
        float[] x = r.features();
        byte[] pixels = new byte[HEADER + x.length];
        boolean asPixels = asPixels(x, pixels);
        ByteBuffer out = asPixels ? ByteBuffer.wrap(pixels) : ByteBuffer.allocate(HEADER + x.length * Float.BYTES);
        out.put(asPixels ? PIXELS : FLOATS).putInt(r.label()).putFloat(r.target()).putFloat(r.weight());
        if (!asPixels) {
            out.asFloatBuffer().put(x);
        }
        return out.array();
    }

    /** Whether every value of {@code x} is a pixel's {@code k / 255f}; if so, {@code out[HEADER + j] :=} its k. */
    private static boolean asPixels(float[] x, byte[] out) {
        for (int j = 0; j < x.length; j++) {
            int k = Math.round(x[j] * 255f);
            if (k < 0 || k > 255 || Float.floatToIntBits(PIXEL_VALUES[k]) != Float.floatToIntBits(x[j])) {
                return false;
            }
            out[HEADER + j] = (byte) k;
        }
        return true;
    }

    static LabelledRow decode(byte[] encoded) {
        ByteBuffer row = ByteBuffer.wrap(encoded);
        byte kind = row.get();
        int label = row.getInt();
        float target = row.getFloat();
        float weight = row.getFloat();
        int width = kind == PIXELS ? encoded.length - HEADER : (encoded.length - HEADER) / Float.BYTES;
        float[] x = new float[width];
        features(row, kind, x, 0, width);
        return new LabelledRow(x, label, target, weight);
    }

    /** {@code x[off, off + width) :=} the features of {@code row} (a heap buffer), read from its position. */
    private static void features(ByteBuffer row, byte kind, float[] x, int off, int width) {
        if (kind == PIXELS) {
            byte[] bytes = row.array();
            for (int j = 0, from = row.arrayOffset() + row.position(); j < width; j++) {
                x[off + j] = PIXEL_VALUES[bytes[from + j] & 0xff];
            }
        } else {
            row.asFloatBuffer().get(x, off, width);
        }
    }

    /** Partition {@code h mod P} of a row's hash. */
    static final class ByHash extends Partitioner {
        private final int partitions;

        ByHash(int partitions) {
            this.partitions = partitions;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return (int) Long.remainderUnsigned((Long) key, partitions);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByHash b && b.partitions == partitions;
        }

        @Override
        public int hashCode() {
            return partitions;
        }
    }
}
