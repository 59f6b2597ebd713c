package dev.sparknn.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.sparknn.data.LabelledRow;
import dev.sparknn.data.RowPlacement;
import dev.sparknn.ops.MeanSquaredError;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.ops.SoftmaxCrossEntropy;
import dev.sparknn.ops.WeightInit;
import dev.sparknn.train.BlasKernels;
import dev.sparknn.train.DataConfig;
import dev.sparknn.train.Task;
import dev.sparknn.train.TrainConfig;
import dev.sparknn.train.TrainOption;
import dev.sparknn.train.TrainOptions;
import dev.sparknn.train.SparkSessions;
import dev.sparknn.train.TrainingData;
import dev.sparknn.train.round.EpochLoop;
import dev.sparknn.train.round.EpochProgress;
import dev.sparknn.train.round.RoundEngine;
import dev.sparknn.train.round.RoundPlan;
import dev.sparknn.train.round.WarmUp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the classifier and the regressor share: the options checked and turned into the trainer's settings, the
 * DataFrame checked on the driver and packed into one {@link RowBlock} per partition, and the training itself, by
 * the command line's {@link RoundEngine} in rounds of local steps over {@link TrainingData}.
 */
final class Training {

    private static final Logger LOG = LoggerFactory.getLogger(Training.class);

    private Training() {
    }

    /** The trainer's settings from a stage's Params. */
    record Settings(Network net, WeightInit init, TrainConfig.OptimizerConfig optimizer,
                    TrainConfig.ScheduleConfig schedule, TrainConfig.RoundConfig rounds, int epochs, int batchSize,
                    long seed, TrainConfig.OnDivergence onDivergence, boolean standardize, int partitions) {
    }

    /**
     * The stage's Params checked together by the command line's {@link TrainConfig} (each value by its declaration,
     * then the rules between options, such as nesterov needing momentum).
     *
     * @throws IllegalArgumentException naming the Param whose value is out of range, with the command line's message
     */
    static Settings settings(NeuralNetParams<?> p, Task task) {
        try {
            TrainConfig.Builder b = TrainConfig.builder().set(TrainOptions.TASK, task.toString());
            for (NeuralNetParamSet.Option o : NeuralNetParamSet.OPTIONS) {
                put(b, o.option(), p.getOrDefault(p.getParam(o.param())));
            }
            TrainConfig cfg = b.build();
            Network net = new Network(cfg.layers(), cfg.activation(), task == Task.REGRESSION
                    ? new MeanSquaredError() : new SoftmaxCrossEntropy());
            TrainConfig.require(task == Task.CLASSIFICATION || net.numOutputs() == 1, "--layers must end "
                    + "with 1 output for a regressor, got " + net.numOutputs());
            NeuralNetParamSet.checkedPartitions(p.getNumPartitions());
            // A DataFrame is a table, as a CSV or Parquet file is on the command line.
            boolean standardize = cfg.data().standardize().appliesTo(DataConfig.Format.PARQUET, net);
            return new Settings(net, cfg.init(), cfg.optimizer(), cfg.schedule(), cfg.rounds(), cfg.epochs(),
                    cfg.batchSize(), cfg.seed(), cfg.onDivergence(), standardize, p.getNumPartitions());
        } catch (IllegalArgumentException | ClassCastException | TrainConfig.ConfigException e) {
            throw new IllegalArgumentException(NeuralNetParamSet.inParamNames(e.getMessage()), e);
        }
    }

    private static <T> void put(TrainConfig.Builder b, TrainOption<T> option, Object value) {
        b.set(option, option.cast(value));
    }

    /** Whether {@code type} is a features type we read: a vector, or an array of float or double. */
    static boolean isFeatures(DataType type) {
        return type instanceof VectorUDT || type instanceof ArrayType a
                && (a.elementType().equals(DataTypes.FloatType) || a.elementType().equals(DataTypes.DoubleType));
    }

    /**
     * The input columns' checks, shared by {@code transformSchema} of the estimators and the models.
     *
     * @param fitting also check the label, weight and validation-indicator columns
     * @throws IllegalArgumentException naming the column, its type and what was expected
     */
    static void checkInputs(StructType schema, NeuralNetParams<?> p, String featuresCol, String labelCol,
                            boolean fitting) {
        requireColumn(schema, featuresCol, "featuresCol", Training::isFeatures,
                "a vector, array<float> or array<double>");
        if (!fitting) {
            return;
        }
        requireColumn(schema, labelCol, "labelCol", t -> t instanceof NumericType, "numeric");
        if (!p.getWeightCol().isEmpty()) {
            requireColumn(schema, p.getWeightCol(), "weightCol", t -> t instanceof NumericType, "numeric");
        }
        if (!p.getValidationIndicatorCol().isEmpty()) {
            requireColumn(schema, p.getValidationIndicatorCol(), "validationIndicatorCol",
                    DataTypes.BooleanType::equals, "boolean");
        }
    }

    /**
     * @param expected what {@code accepts} takes, as the message says it
     * @throws IllegalArgumentException if {@code column} is missing (listing the DataFrame's columns) or has a type
     *                                  that {@code accepts} refuses
     */
    private static void requireColumn(StructType schema, String column, String param, Predicate<DataType> accepts,
                                      String expected) {
        List<String> names = List.of(schema.fieldNames());
        if (!names.contains(column)) {
            throw new IllegalArgumentException("column '" + column + "' (" + param + ") is missing; the DataFrame "
                    + "has " + names);
        }
        DataType t = schema.apply(column).dataType();
        if (!accepts.test(t)) {
            throw new IllegalArgumentException("column '" + column + "' (" + param + ") must be " + expected
                    + ", it is " + t.simpleString());
        }
    }

    /**
     * Trains on {@code data} (its label already cast to double by {@code Predictor.fit}). The rows are checked on
     * the driver first, in one Spark job, and any bad row is reported by column before anything is trained.
     *
     * @return the network, its weights with any standardisation folded in, and the training summary
     * @throws IllegalArgumentException naming the column, the offending value and an example row
     */
    static TrainedNetwork fit(Dataset<?> data, NeuralNetParams<?> p, String featuresCol, String labelCol, Task task) {
        Settings s = settings(p, task);
        checkInputs(data.schema(), p, featuresCol, labelCol, true);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
        // As the command line does: synthetic rounds compile the first round's code while the rows are checked
        // and cached (the first real round took several times a steady one without them).
        WarmUp warmUp = WarmUp.start(sc, s.net(), s.optimizer(), s.rounds(),
                s.partitions() > 0 ? s.partitions() : sc.defaultParallelism(), s.batchSize());
        try {
            return checkAndTrain(data, p, featuresCol, labelCol, task, s, sc, warmUp);
        } finally {
            // Also when a check failed: no warm-up job outlives the fit in the caller's session.
            warmUp.join();
        }
    }

    private static TrainedNetwork checkAndTrain(Dataset<?> data, NeuralNetParams<?> p, String featuresCol,
                                                String labelCol, Task task, Settings s, JavaSparkContext sc,
                                                WarmUp warmUp) {
        int inputs = s.net().numInputs();
        int classes = task == Task.CLASSIFICATION ? s.net().numOutputs() : 0;
        String weightCol = p.getWeightCol();
        String indicator = p.getValidationIndicatorCol();
        Dataset<Row> df = data.toDF();
        long[] counts = check(df, featuresCol, labelCol, weightCol, indicator, inputs, classes);
        long trainRows = counts[0];
        long validRows = counts[1];
        if (trainRows == 0) {
            throw new IllegalArgumentException("the DataFrame has no rows to train on" + (validRows > 0
                    ? ": every row has validationIndicatorCol '" + indicator + "' true" : ""));
        }
        boolean weighted = !weightCol.isEmpty();
        List<Column> cols = new ArrayList<>(List.of(col(featuresCol), col(labelCol).cast(DataTypes.DoubleType)));
        if (weighted) {
            cols.add(col(weightCol).cast(DataTypes.DoubleType));
        }
        Column[] packed = cols.toArray(Column[]::new);
        Dataset<Row> trainDf = indicator.isEmpty() ? df : df.filter(functions.not(col(indicator)));
        Dataset<Row> validDf = indicator.isEmpty() ? df.limit(0) : df.filter(col(indicator));
        // The storage level the command line uses: spark.sparknn.storageLevel, MEMORY_AND_DISK unless set.
        StorageLevel storage = SparkSessions.storageLevel(sc.getConf());
        int partitions = s.partitions() > 0 ? s.partitions() : df.javaRDD().getNumPartitions();
        // Each input's training range, gathered as the training rows are parsed for placement: no job of its own.
        RangeAccumulator ranges = new RangeAccumulator(inputs);
        sc.sc().register(ranges, "sparknn training ranges");
        JavaRDD<RowBlock> train = placed(trainDf.select(packed), inputs, classes, weighted, partitions, s.seed(),
                storage, ranges);
        JavaRDD<RowBlock> valid = validRows == 0 ? sc.emptyRDD()
                : placed(validDf.select(packed), inputs, classes, false, partitions, s.seed(), storage, null);
        // One features column: its values have positions, not names, as an image's (model.bin then records none).
        TrainingData rows = new TrainingData(train, trainRows, valid, validRows, String.format("%,d rows", trainRows),
                null, null, List.of(), null);
        if (s.standardize()) {
            rows = rows.standardized(task, labelCol, storage);
        }
        try (TrainingData d = rows) {
            // The executors' BLAS kernels, as the command line surveys them: the session is the caller's, so they
            // cannot be pinned here, but a mismatch is said (spark.executorEnv.OPENBLAS_CORETYPE pins them).
            BlasKernels kernels = BlasKernels.survey(d.train());
            LOG.info("BLAS kernels: {}", kernels.summary());
            kernels.warning().ifPresent(LOG::warn);
            warmUp.join();
            return train(sc, s, d, task, ranges);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @param ranges filled once the training blocks are computed, which the first round does */
    private static TrainedNetwork train(JavaSparkContext sc, Settings s, TrainingData d, Task task,
                                        RangeAccumulator ranges) throws IOException {
        Network net = s.net();
        int batch = (int) Math.min(s.batchSize(), d.trainRows());
        int steps = RoundPlan.stepsPerEpoch(d.trainRows(), batch);
        float[] params = net.initParams(s.init(), s.seed());
        RoundEngine trainer = new RoundEngine(sc, net, s.optimizer(), s.schedule().build(s.optimizer().lr(), steps,
                s.epochs()), s.seed(), s.onDivergence(), 1, s.rounds());
        double[] objective = new double[s.epochs()];
        double[] validLoss = new double[d.testRows() > 0 ? s.epochs() : 0];
        double[] validMetric = new double[validLoss.length];
        EpochProgress last = EpochLoop.run(trainer, d.train(), d.trainRows(), batch, 1, s.epochs(), params,
                new EpochProgress(), (epoch, n, start) -> (e, p) -> {
                    objective[e - 1] = p.trainLoss() * d.lossScale();
                    if (validLoss.length > 0) {
                        Network.Evaluation eval = d.inTargetUnits(trainer.evaluate(d.test(), params));
                        validLoss[e - 1] = eval.meanLoss();
                        validMetric[e - 1] = task == Task.REGRESSION ? eval.rmse() : eval.accuracy();
                    }
                    return false;
                });
        Map<String, double[]> validation = new LinkedHashMap<>();
        if (validLoss.length > 0) {
            validation.put("loss", validLoss);
            validation.put(task == Task.REGRESSION ? "rmse" : "accuracy", validMetric);
        }
        double[][] range = ranges.value();
        return new TrainedNetwork(net, task, d.foldInto(net, params), new TrainingSummary(objective,
                last.globalStep(), validation), range[0].clone(), range[1].clone());
    }

    /**
     * One job over the rows: the number of training and validation rows, and how many rows fail each check.
     *
     * @return {@code [training rows, validation rows]}
     * @throws IllegalArgumentException for the first check that fails, with its count and one offending row
     */
    private static long[] check(Dataset<Row> df, String featuresCol, String labelCol, String weightCol,
                                String indicator, int inputs, int classes) {
        Column f = col(featuresCol);
        boolean vector = df.schema().apply(featuresCol).dataType() instanceof VectorUDT;
        Column values = vector ? org.apache.spark.ml.functions.vector_to_array(f, "float64") : f;
        Column label = col(labelCol);
        Map<String, Column> problems = new LinkedHashMap<>();
        problems.put(String.format("column '%s' (featuresCol) is null", featuresCol), f.isNull());
        if (!vector) {
            problems.put(String.format("column '%s' (featuresCol) has a null element", featuresCol),
                    f.isNotNull().and(functions.exists(values, Column::isNull)));
        }
        problems.put(String.format("column '%s' (featuresCol) does not have the %d values that layers starts with",
                featuresCol, inputs), f.isNotNull().and(functions.size(values).notEqual(inputs)));
        problems.put(String.format("column '%s' (featuresCol) has a NaN or infinite value", featuresCol),
                f.isNotNull().and(functions.exists(values, Training::nonFinite)));
        problems.put(String.format("column '%s' (labelCol) is null", labelCol), label.isNull());
        if (classes > 0) {
            problems.put(String.format("column '%s' (labelCol) is not a class index in [0, %d) (layers ends with %d "
                    + "classes)", labelCol, classes, classes), label.isNotNull().and(nonFinite(label)
                    .or(label.notEqual(functions.floor(label))).or(label.lt(0)).or(label.geq(classes))));
        } else {
            problems.put(String.format("column '%s' (labelCol) is NaN or infinite", labelCol),
                    label.isNotNull().and(nonFinite(label)));
        }
        if (!weightCol.isEmpty()) {
            Column w = col(weightCol).cast(DataTypes.DoubleType);
            problems.put(String.format("column '%s' (weightCol) is null, negative, NaN or infinite", weightCol),
                    w.isNull().or(nonFinite(w)).or(w.lt(0)));
        }
        if (!indicator.isEmpty()) {
            problems.put(String.format("column '%s' (validationIndicatorCol) is null", indicator),
                    col(indicator).isNull());
        }
        List<Column> sums = new ArrayList<>();
        Column validation = indicator.isEmpty() ? lit(false) : functions.coalesce(col(indicator), lit(false));
        sums.add(rowsWhere(functions.not(validation)));
        sums.add(rowsWhere(validation));
        problems.values().forEach(c -> sums.add(rowsWhere(c)));
        df.sparkSession().sparkContext().setJobDescription("check the DataFrame");
        Row totals = df.agg(sums.get(0), sums.subList(1, sums.size()).toArray(Column[]::new)).first();
        long[] rows = {count(totals, 0), count(totals, 1)};
        int i = 2;
        for (Map.Entry<String, Column> e : problems.entrySet()) {
            long bad = count(totals, i++);
            if (bad > 0) {
                Row example = df.filter(e.getValue()).first();
                throw new IllegalArgumentException(String.format("%s in %,d of %,d rows, e.g. the row %s", e.getKey(),
                        bad, rows[0] + rows[1], describe(example)));
            }
        }
        return rows;
    }

    /** How many rows {@code condition} holds for (null when there are no rows). */
    private static Column rowsWhere(Column condition) {
        return functions.sum(when(condition, 1).otherwise(0));
    }

    /** A sum of {@code check}'s job: null (no rows) counts as 0. */
    private static long count(Row totals, int i) {
        return totals.isNullAt(i) ? 0 : totals.getLong(i);
    }

    private static Column nonFinite(Column x) {
        return x.isNaN().or(functions.abs(x).equalTo(Double.POSITIVE_INFINITY));
    }

    /** {@code {features=[0.5, null], label=3.0}}: each column by name, an array or vector by its first values. */
    static String describe(Row row) {
        StringBuilder out = new StringBuilder("{");
        String[] names = row.schema().fieldNames();
        for (int i = 0; i < names.length; i++) {
            out.append(i == 0 ? "" : ", ").append(names[i]).append('=');
            Object v = row.get(i);
            List<?> values = v instanceof scala.collection.Seq<?> seq
                    ? scala.jdk.javaapi.CollectionConverters.asJava(seq)
                    : v instanceof Vector vector ? Arrays.stream(vector.toArray()).boxed().toList() : null;
            if (values == null) {
                out.append(v);
            } else {
                out.append(values.size() <= 8 ? values.toString() : values.subList(0, 8).toString()
                        .replace("]", ", ... (" + values.size() + " values)]"));
            }
        }
        return out.append('}').toString();
    }

    /**
     * {@code partitions} blocks, persisted, from rows {@code (features, label as double[, weight as double])}, already
     * checked: placed by their content ({@link RowPlacement}), so the DataFrame's partitioning does not matter.
     *
     * @param classes the class count; 0 for regression targets
     * @param ranges  given each row's features as it is parsed, or null
     */
    private static JavaRDD<RowBlock> placed(Dataset<Row> rows, int inputs, int classes, boolean weighted,
                                            int partitions, long seed, StorageLevel storage,
                                            RangeAccumulator ranges) {
        JavaRDD<LabelledRow> parsed = rows.javaRDD().map(row -> {
            float[] x = new float[inputs];
            copyFeatures(row.get(0), x, 0, inputs);
            if (ranges != null) {
                ranges.add(x);
            }
            double y = row.getDouble(1);
            return new LabelledRow(x, classes > 0 ? (int) y : 0, classes > 0 ? 0f : (float) y,
                    weighted ? (float) row.getDouble(2) : 1f);
        });
        return RowPlacement.place(parsed, partitions, inputs, classes == 0, weighted, 0, seed, storage).get(0);
    }

    /**
     * {@code out[off .. off+width) := } a features value: a dense or sparse vector (zeros where a sparse one has no
     * entry), or a float or double array.
     *
     * @param out written at {@code [off, off + width)} only; the caller allocates it
     * @throws IllegalArgumentException if its length is not {@code width}, or an array holds a null
     */
    static void copyFeatures(Object value, float[] out, int off, int width) {
        if (value instanceof Vector v) {
            requireWidth("vector", v.size(), width);
            if (v instanceof SparseVector sv) {
                Arrays.fill(out, off, off + width, 0f);
                int[] idx = sv.indices();
                double[] val = sv.values();
                for (int k = 0; k < idx.length; k++) {
                    out[off + idx[k]] = (float) val[k];
                }
            } else {
                double[] val = v.toArray();
                for (int j = 0; j < width; j++) {
                    out[off + j] = (float) val[j];
                }
            }
            return;
        }
        scala.collection.Seq<?> seq = (scala.collection.Seq<?>) value;
        requireWidth("array", seq.length(), width);
        Iterator<?> values = scala.jdk.javaapi.CollectionConverters.asJava(seq.iterator());
        for (int j = 0; j < width; j++) {
            Object e = values.next();
            if (e == null) {
                throw new IllegalArgumentException("a features array has a null at position " + j);
            }
            out[off + j] = ((Number) e).floatValue();
        }
    }

    private static void requireWidth(String kind, int size, int width) {
        if (size != width) {
            throw new IllegalArgumentException("a features " + kind + " has " + size + " values, layers starts with "
                    + width);
        }
    }
}
