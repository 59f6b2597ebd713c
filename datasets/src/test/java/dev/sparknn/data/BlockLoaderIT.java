package dev.sparknn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.ops.RowBlock;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockLoaderIT {

    private static final JavaSparkContext SC = SparkTestSession.context();

    @TempDir
    Path dir;

    /** 10 one-pixel images whose pixel value is 10·i and whose label is i % 3. */
    private IdxDataset tenRows() throws Exception {
        byte[] pixels = new byte[10];
        byte[] labels = new byte[10];
        for (int i = 0; i < 10; i++) {
            pixels[i] = (byte) (10 * i);
            labels[i] = (byte) (i % 3);
        }
        IdxFixtures.writeSplit(dir, "train", 1, 1, pixels, labels);
        return IdxDataset.open(SC.hadoopConfiguration(), dir.toString(), IdxDataset.TRAIN);
    }

    @Test
    void onePackedBlockPerPartitionEvenlySizedInFileOrder() throws Exception {
        JavaRDD<RowBlock> rdd = BlockLoader.load(SC, tenRows(), 3, 3, StorageLevel.MEMORY_ONLY());
        assertEquals(3, rdd.getNumPartitions());
        List<RowBlock> blocks = rdd.collect();
        // ⌊p·10/3⌋: rows [0,3), [3,6), [6,10).
        assertEquals(List.of(3, 3, 4), blocks.stream().map(RowBlock::rows).toList());
        // Exact: the reader scales a byte b by the same float division, b / 255f.
        assertArrayEquals(new float[] {60 / 255f, 70 / 255f, 80 / 255f, 90 / 255f}, blocks.get(2).features());
        assertArrayEquals(new int[] {0, 1, 2, 0}, blocks.get(2).labels());
        assertEquals(StorageLevel.MEMORY_ONLY(), rdd.getStorageLevel());
        rdd.unpersist(true);
    }

    @Test
    void morePartitionsThanRowsGivesEmptyBlocks() throws Exception {
        JavaRDD<RowBlock> rdd = BlockLoader.load(SC, tenRows(), 12, 3, StorageLevel.MEMORY_ONLY());
        assertEquals(10, rdd.map(RowBlock::rows).reduce(Integer::sum));
        rdd.unpersist(true);
    }

    @Test
    void aLabelOutsideTheClassRangeFailsTheLoadNamingTheFile() throws Exception {
        IdxDataset data = tenRows();
        SparkException e = assertThrows(SparkException.class,
                () -> BlockLoader.load(SC, data, 2, 2, StorageLevel.MEMORY_ONLY()).count());
        Throwable cause = e;
        while (cause != null && !(cause instanceof IdxFormatException)) {
            cause = cause.getCause();
        }
        assertTrue(cause != null, "the IdxFormatException survives Spark's wrapping: " + e);
        assertTrue(cause.getMessage().contains(data.labels().file()) && cause.getMessage().contains("[0, 2)"),
                cause.getMessage());
    }
}
