package dev.sparknn.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.data.SparkTestSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the estimators and models do with DataFrames that are empty, badly typed or hold bad values (each refused by
 * our message, naming the column and a row), and with a streaming DataFrame. One small model, fitted once, is
 * shared by the transform cases.
 */
class DataFrameInputIT {

    private static final SparkSession SPARK = SparkTestSession.get();
    private static final StructType ARRAYS = new StructType()
            .add("features", DataTypes.createArrayType(DataTypes.DoubleType, true))
            .add("label", DataTypes.IntegerType);
    private static NeuralNetClassificationModel model;

    @TempDir
    Path tmp;

    /** Two features; label 1 when their sum is positive: 200 rows a 2-8-2 network separates. */
    @BeforeAll
    static void fit() {
        model = classifier().fit(separable(200));
    }

    private static NeuralNetClassifier classifier() {
        return new NeuralNetClassifier().setLayers(2, 8, 2).setEpochs(5).setBatchSize(20);
    }

    private static Dataset<Row> separable(int n) {
        Random random = new Random(2);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double a = random.nextGaussian();
            double b = random.nextGaussian();
            rows.add(RowFactory.create(new Double[] {a, b}, a + b > 0 ? 1 : 0));
        }
        return SPARK.createDataFrame(rows, ARRAYS);
    }

    private static Dataset<Row> frame(StructType schema, Row... rows) {
        return SPARK.createDataFrame(List.of(rows), schema);
    }

    private static void refused(Executable fit, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, fit);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
        }
    }

    @Test
    void emptyAndAllFilteredDataFramesAreRefused() {
        refused(() -> classifier().fit(frame(ARRAYS)), "the DataFrame has no rows to train on");
        refused(() -> classifier().fit(separable(50).filter("label > 5")), "the DataFrame has no rows to train on");
        Dataset<Row> allValidation = separable(20).withColumn("v", org.apache.spark.sql.functions.lit(true));
        refused(() -> classifier().setValidationIndicatorCol("v").fit(allValidation),
                "no rows to train on: every row has validationIndicatorCol 'v' true");
    }

    @Test
    void badLabelsAreRefusedNamingTheColumnAndARow() {
        refused(() -> classifier().fit(frame(ARRAYS, RowFactory.create(new Double[] {1.0, 2.0}, 1),
                RowFactory.create(new Double[] {3.0, 4.0}, null))), "column 'label' (labelCol) is null in 1 of 2 rows",
                "e.g. the row {features=[3.0, 4.0], label=null}");
        refused(() -> classifier().fit(frame(ARRAYS, RowFactory.create(new Double[] {1.0, 2.0}, 7))),
                "column 'label' (labelCol) is not a class index in [0, 2) (layers ends with 2 classes) in 1 of 1 rows",
                "e.g. the row {features=[1.0, 2.0], label=7.0}");
        StructType floats = new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("y", DataTypes.FloatType);
        refused(() -> classifier().setLabelCol("y").fit(frame(floats, RowFactory.create(new Double[] {1.0, 2.0}, 0.5f))),
                "column 'y' (labelCol) is not a class index in [0, 2)", "y=0.5}");
        StructType strings = new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("label", DataTypes.StringType);
        refused(() -> classifier().fit(frame(strings, RowFactory.create(new Double[] {1.0, 2.0}, "1"))),
                "column 'label' (labelCol) must be numeric, it is string");
    }

    /** A float label column holding whole numbers trains as well as an int one. */
    @Test
    void integralFloatLabelsAreAccepted() {
        Dataset<Row> floats = separable(200).withColumn("label",
                org.apache.spark.sql.functions.col("label").cast(DataTypes.FloatType));
        Dataset<Row> scored = classifier().fit(floats).transform(floats);
        double accuracy = (double) scored.filter("prediction = label").count() / scored.count();
        // Linearly separable (a + b > 0), scored on its own 200 rows: measured 0.99; a label read wrongly (a float
        // class index truncated or shifted) scores near 0.5.
        assertTrue(accuracy > 0.9, "accuracy " + accuracy);
    }

    @Test
    void badFeaturesAndColumnsAreRefusedByName() {
        refused(() -> classifier().fit(frame(ARRAYS, RowFactory.create(new Double[] {1.0, null}, 1))),
                "column 'features' (featuresCol) has a null element in 1 of 1 rows", "e.g. the row {features=[1.0, null], label=1.0}");
        refused(() -> classifier().fit(frame(ARRAYS, RowFactory.create(null, 1), RowFactory.create(
                new Double[] {1.0, 2.0}, 0))), "column 'features' (featuresCol) is null in 1 of 2 rows", "e.g. the row {features=null, label=1.0}");
        refused(() -> classifier().fit(frame(ARRAYS, RowFactory.create(new Double[] {1.0, 2.0, 3.0}, 1))),
                "column 'features' (featuresCol) does not have the 2 values that layers starts with in 1 of 1 rows");
        refused(() -> classifier().fit(frame(ARRAYS, RowFactory.create(new Double[] {1.0, Double.NaN}, 1))),
                "column 'features' (featuresCol) has a NaN or infinite value");
        refused(() -> classifier().setFeaturesCol("pixels").fit(separable(5)),
                "column 'pixels' (featuresCol) is missing; the DataFrame has [features, label]");
        StructType ints = new StructType().add("features", DataTypes.createArrayType(DataTypes.IntegerType))
                .add("label", DataTypes.IntegerType);
        refused(() -> classifier().fit(frame(ints, RowFactory.create(new Integer[] {1, 2}, 1))),
                "column 'features' (featuresCol) must be a vector, array<float> or array<double>, it is array<int>");
        Dataset<Row> weighted = separable(10).withColumn("w", org.apache.spark.sql.functions.lit(-1.0));
        refused(() -> classifier().setWeightCol("w").fit(weighted),
                "column 'w' (weightCol) is null, negative, NaN or infinite in 10 of 10 rows");
    }

    @Test
    void badParamsAreRefusedWithTheCommandLinesMessageInParamNames() {
        refused(() -> classifier().setStepSize(-1).fit(separable(5)), "stepSize must be a positive finite number, "
                + "got -1.0");
        refused(() -> new NeuralNetClassifier().fit(separable(5)), "column 'features' (featuresCol) does not have the "
                + "784 values that layers starts with in 5 of 5 rows");
        refused(() -> classifier().setOptimizer("nesterov").setMomentum(0).fit(separable(5)),
                "optimizer nesterov needs momentum > 0");
        refused(() -> classifier().setLayers(2, 8, 1).fit(separable(5)), "layers must end with the number of "
                + "classes (at least 2), got 1");
        refused(() -> classifier().setOptimizer("rmsprop").fit(separable(5)), "unknown optimizer 'rmsprop'");
        refused(() -> classifier().setLocalSteps(0).fit(separable(5)), "localSteps must be in [1, 1000000], got 0");
        refused(() -> new NeuralNetRegressor().setLayers(2, 2).fit(separable(5)),
                "layers must end with 1 output for a regressor, got 2");
    }

    /** Null features give null outputs (documented on the model); the other rows are scored. */
    @Test
    void nullFeaturesInTransformGiveNullOutputs() {
        Dataset<Row> scored = model.transform(frame(ARRAYS, RowFactory.create(null, 1),
                RowFactory.create(new Double[] {2.0, 2.0}, 1)));
        List<Row> rows = scored.select("rawPrediction", "probability", "prediction").collectAsList();
        assertNull(rows.get(0).get(0));
        assertNull(rows.get(0).get(1));
        assertNull(rows.get(0).get(2));
        assertEquals(1.0, rows.get(1).getDouble(2));
    }

    @Test
    void transformTwiceRefusesTheExistingOutputColumnByName() {
        Dataset<Row> once = model.transform(separable(5));
        refused(() -> model.transform(once), "output column 'rawPrediction' (rawPredictionCol) already exists in the "
                + "DataFrame; set rawPredictionCol to another name, or to \"\" to leave it out");
        // Leaving the columns out, or renaming them, scores again.
        Dataset<Row> twice = model.copy(new org.apache.spark.ml.param.ParamMap()).setRawPredictionCol("")
                .setProbabilityCol("p2").setPredictionCol("prediction2").transform(once);
        assertEquals(List.of("features", "label", "rawPrediction", "probability", "prediction", "p2", "prediction2"),
                List.of(twice.columns()));
    }

    /** Dense and sparse vectors of the same values score the same as the array. */
    @Test
    void vectorsDenseAndSparseAndArraysScoreAlike() {
        StructType vectors = new StructType().add("features", new VectorUDT()).add("label", DataTypes.IntegerType);
        Dataset<Row> v = frame(vectors, RowFactory.create(Vectors.dense(0.0, 1.5), 1),
                RowFactory.create(Vectors.sparse(2, new int[] {1}, new double[] {1.5}), 1));
        List<Row> raw = model.transform(v).select("rawPrediction").collectAsList();
        Vector array = (Vector) model.transform(frame(ARRAYS, RowFactory.create(new Double[] {0.0, 1.5}, 1)))
                .select("rawPrediction").first().get(0);
        assertEquals(array, raw.get(0).get(0));
        assertEquals(array, raw.get(1).get(0));
        assertEquals(array, model.predictRaw(Vectors.dense(0.0, 1.5)), "the single-row API agrees");
    }

    /** A streaming DataFrame (JSON files read as a stream) is scored micro-batch by micro-batch. */
    @Test
    void streamingTransform() throws Exception {
        Path in = tmp.resolve("in");
        separable(40).write().json(in.toString());
        Dataset<Row> stream = SPARK.readStream().schema(ARRAYS).json(in.toString());
        StreamingQuery query = model.transform(stream).select("label", "prediction").writeStream()
                .format("memory").queryName("scored").start();
        try {
            query.processAllAvailable();
        } finally {
            query.stop();
        }
        Dataset<Row> scored = SPARK.table("scored");
        assertEquals(40, scored.count());
        assertEquals(DataTypes.DoubleType, scored.schema().apply("prediction").dataType());
        Dataset<Row> batch = model.transform(SPARK.read().schema(ARRAYS).json(in.toString()));
        assertEquals(batch.filter("prediction = label").count(), scored.filter("prediction = label").count(),
                "the stream's predictions are the batch's");
    }

}
