package dev.sparknn.data;

import dev.sparknn.ops.RowBlock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * Reads an IDX dataset in row ranges, one task each: as persisted blocks ({@link #load}), or as rows for
 * {@link RowPlacement} to place by content ({@link #rows}, what training uses).
 *
 * <p>Range {@code p} of {@code P} holds rows {@code [⌊p·N/P⌋, ⌊(p+1)·N/P⌋)}, so sizes differ by at most one
 * row. Each task reads its own row range from the file system: the driver reads only headers, and the tasks
 * of later jobs carry no data (unlike {@code parallelize} of the rows themselves, whose partitions ship their
 * data with every task). Lost cached blocks are rebuilt by re-reading the same range.
 */
public final class BlockLoader {

    private BlockLoader() {
    }

    /**
     * One persisted block per range, in file order.
     *
     * @param numClasses labels must lie in {@code [0, numClasses)}; a label outside fails the load naming the file
     */
    public static JavaRDD<RowBlock> load(JavaSparkContext sc, IdxDataset dataset, int partitions, int numClasses,
                                         StorageLevel storage) {
        return ranges(sc, dataset, partitions, numClasses).persist(storage);
    }

    /**
     * The dataset's rows, read in {@code readers} ranges; where {@link RowPlacement} puts them does not depend on
     * {@code readers}.
     *
     * @param numClasses labels must lie in {@code [0, numClasses)}; a label outside fails the load naming the file
     */
    public static JavaRDD<LabelledRow> rows(JavaSparkContext sc, IdxDataset dataset, int readers, int numClasses) {
        int width = dataset.numFeatures();
        return ranges(sc, dataset, readers, numClasses).flatMap(block -> {
            List<LabelledRow> rows = new ArrayList<>(block.rows());
            for (int r = 0; r < block.rows(); r++) {
                rows.add(LabelledRow.ofClass(Arrays.copyOfRange(block.features(), r * width, (r + 1) * width),
                        block.labels()[r]));
            }
            return rows.iterator();
        });
    }

    private static JavaRDD<RowBlock> ranges(JavaSparkContext sc, IdxDataset dataset, int partitions, int numClasses) {
        if (partitions <= 0) {
            throw new IllegalArgumentException("partitions must be positive, got " + partitions);
        }
        long n = dataset.count();
        List<Integer> ids = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            ids.add(p);
        }
        // Broadcast, not captured: the lineage (and so the configuration) ships with every task of every training
        // step, and a captured configuration made each task binary about 100 KB. Never destroyed: lost cached
        // blocks are rebuilt from it.
        Broadcast<HadoopConf> conf = sc.broadcast(new HadoopConf(sc.hadoopConfiguration()));
        return sc.parallelize(ids, partitions).map(p -> {
            int first = (int) (p * n / partitions);
            int end = (int) ((p + 1) * n / partitions);
            try {
                return dataset.readBlock(conf.value().get(), first, end - first, numClasses);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
