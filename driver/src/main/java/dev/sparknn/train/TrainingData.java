package dev.sparknn.train;

import dev.sparknn.data.BlockLoader;
import dev.sparknn.data.IdxDataset;
import dev.sparknn.data.IdxFormatException;
import dev.sparknn.data.RowPlacement;
import dev.sparknn.data.TableDataset;
import dev.sparknn.data.TableEncoding;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.ops.Standardization;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.LoggerFactory;

/**
 * A run's training and test rows, validated and spread over the partitions as persisted {@link RowBlock}s, with
 * the features, and a regression target, standardised if {@code --standardize} says so. {@link #close} frees the
 * cache.
 *
 * @param standardization       the transform applied to both splits' features, or null; fold it into the saved
 *                              model's first layer
 * @param targetStandardization the transform applied to both splits' regression targets, or null; fold it into the
 *                              saved model's last layer, and report losses in the targets' units with
 *                              {@link #inTargetUnits}
 * @param featureNames          a table's feature columns in the order of a row's values (the test table's are
 *                              matched to them by name); empty for images, whose values have positions only
 * @param encoding              how a table's cells became inputs and classes (the model keeps it), or null for
 *                              images and array columns
 */
public record TrainingData(JavaRDD<RowBlock> train, long trainRows, JavaRDD<RowBlock> test, long testRows,
                    String describe, Standardization standardization, Standardization targetStandardization,
                    List<String> featureNames, TableEncoding encoding)
        implements AutoCloseable {

    /**
     * The training table of {@code --data}, already opened (its schema read) and profiled (its encoding chosen, one
     * pass over its rows) by {@link DataWidths#of}, which {@link #load} takes instead of doing both again.
     *
     * @param table    the table, opened at the qualified {@code --data} path with its label and features
     * @param encoding {@link TableDataset#profile}'s result for the run's task and {@code --missing}; null for the
     *                 image-like layout
     */
    public record TableProfile(TableDataset table, TableEncoding encoding) {
    }

    /**
     * @param net the network to train: its inputs must match the features per row, its outputs the class count
     *            (classification) or 1 (regression)
     */
    public static TrainingData load(SparkSession spark, DataConfig data, Task task, Network net, int partitions,
                                    long seed, StorageLevel storage) throws IOException {
        return load(spark, data, task, net, partitions, seed, storage, null);
    }

    /**
     * {@link #load(SparkSession, DataConfig, Task, Network, int, long, StorageLevel)} of a table that
     * {@link DataWidths#of} has opened and profiled already (null: none).
     *
     * @throws IllegalArgumentException if {@code known} is another table than {@code data}'s
     */
    public static TrainingData load(SparkSession spark, DataConfig data, Task task, Network net, int partitions,
                                    long seed, StorageLevel storage, TableProfile known) throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoop = sc.hadoopConfiguration();
        if (known != null && !known.table().path().equals(DataConfig.qualify(hadoop, data.path()))) {
            throw new IllegalArgumentException("a profile of " + known.table().path() + " for --data " + data.path());
        }
        DataConfig.Format format = data.resolve(hadoop, data.path());
        TrainingData loaded = format == DataConfig.Format.IDX
                ? loadIdx(sc, data, task, net, partitions, seed, storage)
                : loadTable(spark, data, format, task, net, partitions, seed, storage, known);
        if (!data.standardize().appliesTo(format, net)) {
            return loaded;
        }
        return loaded.standardized(task, data.label(), storage);
    }

    /**
     * These rows with the features, and a regression target, standardised by the training rows' moments (a new
     * cache; this one's is freed, whatever happens). Rows weigh the same in the moments, whatever their
     * {@link RowBlock#weights}.
     *
     * @param label the target's name, for {@link #describe}
     */
    public TrainingData standardized(Task task, String label, StorageLevel storage) {
        // The session may outlive a failed load (an application, a test JVM): free what was cached, either way.
        try (TrainingData loaded = this) {
            boolean targets = task == Task.REGRESSION;
            LoggerFactory.getLogger(TrainingData.class).info("standardising: the training rows' mean and standard "
                    + "deviation");
            // One pass over the training rows; collect() keeps partition order, so the merged moments, and the
            // statistics, are the same in every run.
            List<Standardization.Moments[]> parts = loaded.train.map(b -> targets
                    ? new Standardization.Moments[] {Standardization.Moments.of(b), Standardization.Moments.ofTargets(b)}
                    : new Standardization.Moments[] {Standardization.Moments.of(b)}).collect();
            Standardization s = merge(parts, 0).standardization();
            Standardization t = targets ? merge(parts, 1).standardization() : null;
            Function<RowBlock, RowBlock> transform = t == null ? s::apply : b -> t.applyToTargets(s.apply(b));
            TrainingData standardized = new TrainingData(loaded.train.map(transform).persist(storage),
                    loaded.trainRows, loaded.test.map(transform).persist(storage), loaded.testRows,
                    loaded.describe + (t == null ? " (standardised)" : " (features and target " + label
                            + " standardised)"), s, t, loaded.featureNames, loaded.encoding);
            try {
                standardized.train.count();
                standardized.test.count();
            } catch (RuntimeException e) {
                standardized.close();
                throw e;
            }
            return standardized;
        }
    }

    /** The moments at {@code index} of every partition, merged in partition order. */
    private static Standardization.Moments merge(List<Standardization.Moments[]> parts, int index) {
        return parts.stream().map(p -> p[index]).reduce(Standardization.Moments::plus).orElseThrow();
    }

    /**
     * Parameters trained on this data as a model for the raw data: the features' standardisation folded into the
     * first layer, the target's into the last (a new array, or {@code params} itself when nothing was
     * standardised).
     */
    public float[] foldInto(Network net, float[] params) {
        float[] folded = standardization == null ? params : standardization.foldInto(net, params);
        return targetStandardization == null ? folded : targetStandardization.foldIntoLastLayer(net, folded);
    }

    /**
     * The factor that turns a loss measured on this data into the user's units: {@code σ²} of a standardised
     * target, 1 otherwise. Multiply loss sums and means by it; RMSE by its square root.
     */
    public double lossScale() {
        return targetStandardization == null ? 1 : targetStandardization.lossScale();
    }

    /** {@code e} with its loss in the user's units (see {@link #lossScale}). */
    public Network.Evaluation inTargetUnits(Network.Evaluation e) {
        return targetStandardization == null ? e : e.scaled(lossScale());
    }

    private static TrainingData loadIdx(JavaSparkContext sc, DataConfig data, Task task, Network net, int partitions,
                                        long seed, StorageLevel storage) throws IOException {
        if (task == Task.REGRESSION) {
            throw new TrainConfig.ConfigException("--task regression needs a table (CSV or Parquet) with a numeric "
                    + "--label column; " + data.path() + " is an IDX folder of class labels");
        }
        Configuration hadoop = sc.hadoopConfiguration();
        int classes = net.numOutputs();
        IdxDataset trainSet = IdxDataset.open(hadoop, data.path(), IdxDataset.TRAIN);
        IdxDataset testSet = IdxDataset.open(hadoop, data.testData().isBlank() ? data.path() : data.testData(),
                IdxDataset.TEST);
        if (net.numInputs() != trainSet.numFeatures() || net.numInputs() != testSet.numFeatures()) {
            throw new TrainConfig.ConfigException(String.format("--layers starts with %d inputs but %s has %d values "
                    + "per image and %s has %d", net.numInputs(), trainSet.images().file(), trainSet.numFeatures(),
                    testSet.images().file(), testSet.numFeatures()));
        }
        for (IdxDataset set : new IdxDataset[] {trainSet, testSet}) {
            try {
                set.checkLabels(hadoop, classes);
            } catch (IdxFormatException e) {
                if (!e.getMessage().contains("class range")) {
                    throw e;
                }
                throw new IdxFormatException(e.file(), e.getMessage() + " (the last --layers size sets the class count)");
            }
        }
        LoggerFactory.getLogger(TrainingData.class).info("reading and packing {} and {} images into {} blocks each",
                String.format("%,d", trainSet.count()), String.format("%,d", testSet.count()), partitions);
        JavaRDD<RowBlock> train = placed(sc, trainSet, partitions, classes, seed, storage);
        JavaRDD<RowBlock> test = placed(sc, testSet, partitions, classes, seed, storage);
        sc.setJobDescription("load data");
        train.count();
        test.count();
        return new TrainingData(train, trainSet.count(), test, testSet.count(), String.format("%,d images",
                trainSet.count()), null, null, List.of(), null);
    }

    /** The split's rows placed by their content ({@link RowPlacement}), read in {@code partitions} ranges. */
    private static JavaRDD<RowBlock> placed(JavaSparkContext sc, IdxDataset set, int partitions, int classes, long seed,
                                            StorageLevel storage) {
        return RowPlacement.place(BlockLoader.rows(sc, set, partitions, classes), partitions, set.numFeatures(), false,
                false, 0, seed, storage).get(0);
    }

    private static TrainingData loadTable(SparkSession spark, DataConfig data, DataConfig.Format format, Task task,
                                          Network net, int partitions, long seed, StorageLevel storage,
                                          TableProfile known) throws IOException {
        int outputs = net.numOutputs();
        if (task == Task.REGRESSION && outputs != 1) {
            throw new TrainConfig.ConfigException("--task regression fits one --label column, so --layers must end "
                    + "with 1 output, got " + outputs);
        }
        if (data.testData().isBlank() && data.testFraction() == 0) {
            throw new TrainConfig.ConfigException("a table needs test rows: pass --test-data PATH, or hold out a "
                    + "share of --data with --test-fraction (e.g. 0.1)");
        }
        TableDataset.Target target = task == Task.REGRESSION ? TableDataset.Target.values()
                : TableDataset.Target.classes(outputs);
        spark.sparkContext().setJobDescription("load data");
        // The encoding depends on the task, not on the class count the target carries: a known profile fits.
        TableDataset trainTable = known != null ? known.table() : open(spark, data, data.path(), format,
                data.features());
        TableEncoding encoding = known != null ? known.encoding() : trainTable.profile(target, data.missing());
        checkWidths(trainTable, encoding, net);
        if (encoding != null && !encoding.classes().isEmpty()) {
            target = TableDataset.Target.classes(encoding.classes().size());
        }
        if (data.testData().isBlank()) {
            List<TableDataset.Blocks> splits = trainTable.load(partitions, target, encoding, data.testFraction(), seed,
                    storage);
            return new TrainingData(splits.get(0).rdd(), splits.get(0).rows(), splits.get(1).rdd(),
                    splits.get(1).rows(), describe(trainTable, splits.get(0).rows()), null, null,
                    trainTable.featureNames(), encoding);
        }
        // The test table's features by the training table's names, whatever their order there.
        List<String> features = data.features().isEmpty() ? trainTable.featureNames() : data.features();
        TableDataset testTable = open(spark, data, data.testData(), data.resolve(spark.sparkContext()
                .hadoopConfiguration(), data.testData()), features);
        TableDataset.Blocks train = trainTable.load(partitions, target, encoding, 0, seed, storage).get(0);
        TableDataset.Blocks test;
        try {
            test = testTable.load(partitions, target, encoding, 0, seed, storage).get(0);
        } catch (IOException | RuntimeException e) {
            train.rdd().unpersist(false);
            throw e;
        }
        return new TrainingData(train.rdd(), train.rows(), test.rdd(), test.rows(), describe(trainTable,
                train.rows()), null, null, trainTable.featureNames(), encoding);
    }

    private static TableDataset open(SparkSession spark, DataConfig data, String path, DataConfig.Format format,
                                     List<String> features) throws IOException {
        if (format == DataConfig.Format.IDX) {
            throw new TrainConfig.ConfigException("--test-data " + path + " is an IDX folder but --data "
                    + data.path() + " is a table; give both in the same format");
        }
        return TableDataset.open(spark, path, format.table(), data.label(), features);
    }

    /**
     * Refuses {@code --layers} whose inputs are not the table's inputs per row, or whose outputs are not the count
     * of named classes, proposing the spelling that fits.
     */
    private static void checkWidths(TableDataset table, TableEncoding encoding, Network net) {
        int inputs = encoding == null ? table.numFeatures() : encoding.width();
        int outputs = encoding == null || encoding.classes().isEmpty() ? net.numOutputs() : encoding.classes().size();
        if (net.numInputs() == inputs && net.numOutputs() == outputs) {
            return;
        }
        String what = net.numInputs() != inputs
                ? String.format("--layers starts with %d inputs but %s gives %d per row (%s)", net.numInputs(), table.path(),
                        inputs, encoding == null ? table.featureColumns() : describe(encoding))
                : String.format("--layers ends with %d outputs but label '%s' of %s names %d classes %s",
                        net.numOutputs(), table.label(), table.path(), outputs, encoding.classes());
        throw new TrainConfig.ConfigException(what + "; pass --layers " + DataWidths.propose(net.spelling(), inputs, outputs));
    }

    /** The columns and the inputs each gives: {@code a, colour (3 levels)}. */
    private static String describe(TableEncoding encoding) {
        return encoding.columns().stream().map(c -> c instanceof TableEncoding.Categorical k
                ? c.name() + " (" + k.width() + " levels)" : c.name())
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static String describe(TableDataset table, long rows) {
        return String.format("%,d rows of %s", rows, table.featureColumns());
    }

    @Override
    public void close() {
        train.unpersist(false);
        test.unpersist(false);
    }
}
