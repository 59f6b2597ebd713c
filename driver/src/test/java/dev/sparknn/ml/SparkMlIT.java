package dev.sparknn.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.data.IdxDataset;
import dev.sparknn.data.SparkTestSession;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.store.ModelFile;
import dev.sparknn.testing.Mnist;
import dev.sparknn.train.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.ml.tuning.TrainValidationSplit;
import org.apache.spark.ml.tuning.TrainValidationSplitModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The estimators as spark.ml citizens, in the test JVM's local session: Pipelines with VectorAssembler, saved and
 * loaded pipelines, CrossValidator and TrainValidationSplit over a Param grid, Spark's evaluators, the regressor on
 * raw x, row weights and the training summary.
 */
class SparkMlIT {

    static final SparkSession SPARK = SparkTestSession.get();

    @TempDir
    Path tmp;

    /**
     * 3,000 real MNIST rows as 784 numeric columns, assembled by VectorAssembler (sparse: most pixels are 0), 3 epochs
     * of 784-64-10 at batch 100 with every other option at its default: 87.8% on the first 1,000 test images
     * (measured). A broken conversion (sparse indices misplaced, labels shuffled, standardisation not folded) lands
     * near 10%. The saved and loaded PipelineModel gives bitwise the same logits, and its model.bin is the command
     * line's.
     */
    @Test
    void pipelineOfVectorAssemblerAndClassifierOnMnistSavedAndLoaded() throws Exception {
        Path dir = Mnist.subset(tmp.resolve("mnist"), 3000, 1000);
        Dataset<Row> train = columns(dir, IdxDataset.TRAIN, 3000).repartition(2);
        Dataset<Row> test = columns(dir, IdxDataset.TEST, 1000);
        String[] pixels = new String[784];
        for (int j = 0; j < 784; j++) {
            pixels[j] = "p" + j;
        }
        VectorAssembler assembler = new VectorAssembler().setInputCols(pixels).setOutputCol("features");
        NeuralNetClassifier classifier = new NeuralNetClassifier().setLayers(784, 64, 10).setEpochs(3)
                .setBatchSize(100).setSeed(7);
        PipelineModel model = new Pipeline().setStages(new PipelineStage[] {assembler, classifier}).fit(train);

        assertInstanceOf(SparseVector.class, assembler.transform(test).first().getAs("features"),
                "VectorAssembler makes sparse vectors of MNIST rows");
        Dataset<Row> scored = model.transform(test).cache();
        double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(scored);
        // Measured 0.878 (one standard error over the test rows about 1 point); sparse vectors read wrongly score near
        // chance (0.1).
        assertTrue(accuracy > 0.85, "accuracy " + accuracy);
        Row first = scored.select("rawPrediction", "probability", "prediction").first();
        assertEquals(10, ((Vector) first.get(0)).size());
        // A softmax in double (Scoring.softmax): the sum of the exponentials (9 roundings), 10 divisions by it and this
        // sum of 10 (9 more roundings) put the total within about 19 · 2^-53 ≈ 2.1e-15 of 1.
        assertEquals(1.0, sum((Vector) first.get(1)), 1e-14, "probabilities sum to 1");
        assertEquals(DataTypes.DoubleType, scored.schema().apply("prediction").dataType());

        String path = tmp.resolve("pipeline").toString();
        model.write().overwrite().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        List<Row> before = scored.select("rawPrediction", "prediction").collectAsList();
        List<Row> after = loaded.transform(test).select("rawPrediction", "prediction").collectAsList();
        assertEquals(before, after, "the loaded pipeline gives the same logits and predictions");
        NeuralNetClassificationModel nn = (NeuralNetClassificationModel) loaded.stages()[1];
        assertEquals(3, nn.getEpochs(), "Params survive the round trip");
        assertEquals(3, nn.summary().objectiveHistory().length, "so does the summary");

        // The stage's model.bin is the command line's file: evaluate and predict read it as it is.
        Path bin = Path.of(path, "stages").toFile().listFiles((d, n) -> n.startsWith("1_"))[0].toPath()
                .resolve(ModelIO.MODEL);
        ModelFile.Model file = ModelFile.read(bin);
        assertEquals(Task.CLASSIFICATION, file.task());
        assertArrayEquals(new int[] {784, 64, 10}, file.network().sizes());
        scored.unpersist();
    }

    /**
     * Rows are placed by their content: the same DataFrame as it comes and repartitioned 1, 3 and 7 ways (so its
     * rows arrive in other partitions and orders) fits bitwise the same weights, with row weights and standardisation
     * on.
     */
    @Test
    void theDataFramesPartitioningDoesNotChangeTheWeights() throws Exception {
        Path dir = Mnist.subset(tmp.resolve("mnist-placement"), 600, 10);
        Dataset<Row> rows = arrays(dir, IdxDataset.TRAIN, 600)
                .withColumn("w", org.apache.spark.sql.functions.expr("1.0 + label % 3")).repartition(2).cache();
        NeuralNetClassifier nn = new NeuralNetClassifier().setLayers(784, 16, 10).setEpochs(2).setBatchSize(60)
                .setNumPartitions(2).setWeightCol("w").setStandardize(true).setSeed(5);
        String hash = nn.fit(rows).weightsSha256();
        for (int ways : new int[] {1, 3, 7}) {
            assertEquals(hash, nn.fit(rows.repartition(ways)).weightsSha256(), "repartitioned " + ways + " ways");
        }
        rows.unpersist();
    }

    /**
     * A convolutional network with batch normalization and dropout through the {@code layers} Param, on flat
     * 784-vectors that its input shape {@code 1x28x28} reshapes. {@code standardize} is left at its default, auto,
     * which keeps the pixels in their [0, 1] scale for a network that starts with a convolution (standardised
     * features fold only into a first affine layer: such a fit used to end refusing to fold them). 2,000 rows,
     * 2 epochs: 82.4% on 500 test images (measured), where chance is 10%. Saved and loaded, the model gives the same
     * logits.
     */
    @Test
    void convolutionalNetworkOnFlatVectorsSavedAndLoaded() throws Exception {
        Path dir = Mnist.subset(tmp.resolve("mnist-cnn"), 2000, 500);
        Dataset<Row> train = vectors(dir, IdxDataset.TRAIN, 2000).repartition(2).cache();
        Dataset<Row> test = vectors(dir, IdxDataset.TEST, 500).cache();
        NeuralNetClassifier nn = new NeuralNetClassifier()
                .setLayers("1x28x28,conv:6:5,batchnorm,relu,maxpool:2,dropout:0.25,affine:10").setEpochs(2)
                .setBatchSize(50).setOptimizer("adam").setStepSize(0.002).setLocalSteps(4).setSeed(7);
        NeuralNetClassificationModel model = nn.fit(train);
        Dataset<Row> scored = model.transform(test).cache();
        double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(scored);
        assertTrue(accuracy > 0.7, "accuracy " + accuracy);

        String path = tmp.resolve("cnn-model").toString();
        model.write().save(path);
        NeuralNetClassificationModel loaded = NeuralNetClassificationModel.load(path);
        assertEquals(nn.getLayers(), loaded.getLayers());
        assertEquals(scored.select("rawPrediction", "prediction").collectAsList(),
                loaded.transform(test).select("rawPrediction", "prediction").collectAsList(),
                "the loaded model gives the same logits and predictions");
        scored.unpersist();
        test.unpersist();
        train.unpersist();
    }

    /** Two epochs values, 2 folds: CrossValidator fits 4 copies and a best model; TrainValidationSplit likewise. */
    @Test
    void crossValidatorAndTrainValidationSplitOverEpochs() throws Exception {
        Path dir = Mnist.subset(tmp.resolve("mnist"), 1000, 10);
        Dataset<Row> rows = arrays(dir, IdxDataset.TRAIN, 1000).repartition(2).cache();
        NeuralNetClassifier nn = new NeuralNetClassifier().setLayers(784, 32, 10).setBatchSize(50).setStandardize(false);
        ParamMap[] grid = new ParamGridBuilder().addGrid(nn.epochs(), new int[] {1, 4}).build();
        MulticlassClassificationEvaluator accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy");
        CrossValidatorModel cv = new CrossValidator().setEstimator(nn).setEstimatorParamMaps(grid)
                .setEvaluator(accuracy).setNumFolds(2).setSeed(3).fit(rows);
        double[] metrics = cv.avgMetrics();
        assertEquals(2, metrics.length);
        // Measured: 0.49 after 1 epoch (10 steps), 0.82 after 4, on 500-row folds; chance is 0.1.
        assertTrue(metrics[1] > metrics[0] && metrics[0] > 0.2, java.util.Arrays.toString(metrics));
        assertEquals(4, ((NeuralNetClassificationModel) cv.bestModel()).getEpochs());

        TrainValidationSplitModel tvs = new TrainValidationSplit().setEstimator(nn).setEstimatorParamMaps(grid)
                .setEvaluator(accuracy).setTrainRatio(0.75).setSeed(3).fit(rows);
        assertEquals(2, tvs.validationMetrics().length);
        assertTrue(tvs.validationMetrics()[1] > 0.5, java.util.Arrays.toString(tvs.validationMetrics()));
        rows.unpersist();
    }

    /**
     * The seed's y = 2x + 10 plus Gaussian noise of std 0.5 (examples/linear.csv, 1,000 rows, x in [0, 10)) on raw x,
     * assembled from a CSV column: the defaults standardise x and y inside and fold both into the model, which
     * predicts in y's units. Measured: RMSE 0.49 (the noise's 0.5 is the floor), y(1) = 11.99, y(9) = 28.04.
     */
    @Test
    void regressorOnTheSeedsLineWithRawX() {
        Dataset<Row> csv = SPARK.read().option("header", true).option("inferSchema", true)
                .csv(Path.of(System.getProperty("sparknn.repo", "."), "examples", "linear.csv").toString());
        VectorAssembler assembler = new VectorAssembler().setInputCols(new String[] {"x"}).setOutputCol("features");
        NeuralNetRegressor regressor = new NeuralNetRegressor().setLayers(1, 16, 1).setLabelCol("y").setEpochs(30)
                .setSeed(1);
        PipelineModel model = new Pipeline().setStages(new PipelineStage[] {assembler, regressor}).fit(csv);
        Dataset<Row> scored = model.transform(csv);
        double rmse = new RegressionEvaluator().setLabelCol("y").setMetricName("rmse").evaluate(scored);
        assertTrue(rmse < 1.0, "rmse " + rmse);
        StructType schema = new StructType().add("x", DataTypes.DoubleType);
        List<Row> xs = model.transform(SPARK.createDataFrame(List.of(RowFactory.create(1.0),
                RowFactory.create(9.0)), schema)).select("prediction").collectAsList();
        assertEquals(12, xs.get(0).getDouble(0), 0.5, "y(1)");
        assertEquals(28, xs.get(1).getDouble(0), 0.5, "y(9)");
        NeuralNetRegressionModel nn = (NeuralNetRegressionModel) model.stages()[1];
        double[] history = nn.summary().objectiveHistory();
        assertTrue(history[history.length - 1] < history[0], "the training loss falls");
    }

    /**
     * A regression model through {@code write().save} and {@code load}: the same uid, Params, predictions and
     * summary, and a regression {@code model.bin}; the class named in the metadata is checked. {@code summary.json}
     * is optional: without it the model loads and scores, and has no summary.
     */
    @Test
    void regressionModelSavedAndLoaded() throws Exception {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            double x = i / 10.0;
            rows.add(RowFactory.create(new double[] {x}, 2 * x + 10));
        }
        StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType, false))
                .add("y", DataTypes.DoubleType);
        Dataset<Row> df = SPARK.createDataFrame(rows, schema);
        NeuralNetRegressionModel model = new NeuralNetRegressor().setLayers(1, 4, 1).setLabelCol("y").setEpochs(2)
                .setBatchSize(10).setSeed(5).fit(df);
        Path dir = tmp.resolve("regressor");
        model.write().save(dir.toString());

        NeuralNetRegressionModel loaded = NeuralNetRegressionModel.load(dir.toString());
        assertEquals(model.uid(), loaded.uid());
        assertEquals("y", loaded.getLabelCol(), "Params survive the round trip");
        assertEquals(2, loaded.getEpochs());
        assertEquals(model.transform(df).select("prediction").collectAsList(),
                loaded.transform(df).select("prediction").collectAsList(), "the same predictions");
        assertArrayEquals(model.summary().objectiveHistory(), loaded.summary().objectiveHistory(), "the same summary");
        assertEquals(Task.REGRESSION, ModelFile.read(dir.resolve(ModelIO.MODEL)).task());
        IllegalArgumentException wrongClass = assertThrows(IllegalArgumentException.class,
                () -> NeuralNetClassificationModel.load(dir.toString()));
        assertTrue(wrongClass.getMessage().contains("NeuralNetRegressionModel"), wrongClass.getMessage());

        Files.delete(dir.resolve(ModelIO.SUMMARY));
        NeuralNetRegressionModel bare = NeuralNetRegressionModel.load(dir.toString());
        assertTrue(loaded.hasSummary());
        assertFalse(bare.hasSummary());
        assertFalse(bare.copy(ParamMap.empty()).hasSummary(), "a copy holds its model's network and summary");
        NoSuchElementException none = assertThrows(NoSuchElementException.class, bare::summary);
        assertEquals("this model has no training summary", none.getMessage());
        assertEquals(loaded.predict(Vectors.dense(1.0)), bare.predict(Vectors.dense(1.0)));
    }

    /**
     * 400 rows of one uninformative feature whose label is 1 for about 30% of them. Unweighted, the network learns
     * P(1) ≈ 0.3; with weight 5 on the 1s, P(1) ≈ 1.5 / 2.2 ≈ 0.68. BinaryClassificationEvaluator reads the
     * two-class rawPrediction as it is.
     */
    @Test
    void weightsChangeTheFit() {
        Random random = new Random(11);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            int label = random.nextDouble() < 0.3 ? 1 : 0;
            rows.add(RowFactory.create(new double[] {random.nextDouble()}, label, label == 1 ? 5.0 : 1.0));
        }
        StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType, false))
                .add("label", DataTypes.IntegerType).add("w", DataTypes.DoubleType);
        Dataset<Row> df = SPARK.createDataFrame(rows, schema).repartition(2);
        NeuralNetClassifier nn = new NeuralNetClassifier().setLayers(1, 4, 2).setEpochs(20).setBatchSize(40);
        double plain = meanProbabilityOfOne(nn.fit(df).transform(df));
        Dataset<Row> weighted = nn.copy(ParamMap.empty()).setWeightCol("w").fit(df).transform(df);
        double heavy = meanProbabilityOfOne(weighted);
        // Measured 0.29 and 0.65.
        assertTrue(plain < 0.4, "unweighted P(1) " + plain);
        assertTrue(heavy > 0.6, "weighted P(1) " + heavy);
        double auc = new BinaryClassificationEvaluator().evaluate(weighted);
        // Spark's area under the ROC curve (400 scores, fewer than its 1000 bins, so exact) is the Mann-Whitney
        // statistic of the scores rawPrediction[1]: the share of (positive, negative) pairs ranked right, ties
        // counting one half. Sums of 400 rates in double: 1e-12.
        assertEquals(mannWhitneyAuc(weighted.select("rawPrediction", "label").collectAsList()), auc, 1e-12);
    }

    /** P(score of a random positive > score of a random negative) + P(equal) / 2, over every pair. */
    private static double mannWhitneyAuc(List<Row> scored) {
        List<Double> positives = new ArrayList<>();
        List<Double> negatives = new ArrayList<>();
        for (Row r : scored) {
            double score = ((Vector) r.get(0)).apply(1);
            (((Number) r.get(1)).doubleValue() == 1 ? positives : negatives).add(score);
        }
        double ranked = 0;
        for (double p : positives) {
            for (double n : negatives) {
                ranked += p > n ? 1 : p == n ? 0.5 : 0;
            }
        }
        return ranked / ((double) positives.size() * negatives.size());
    }

    /** Every fifth row is held out of training and scored after every epoch. */
    @Test
    void validationIndicatorColGivesAValidationHistory() throws Exception {
        Path dir = Mnist.subset(tmp.resolve("mnist"), 600, 10);
        Dataset<Row> rows = arrays(dir, IdxDataset.TRAIN, 600).withColumn("valid",
                org.apache.spark.sql.functions.expr("monotonically_increasing_id() % 5 = 0"));
        NeuralNetClassificationModel m = new NeuralNetClassifier().setLayers(784, 16, 10).setEpochs(3)
                .setBatchSize(50).setValidationIndicatorCol("valid").fit(rows);
        TrainingSummary s = m.summary();
        assertEquals(List.of("loss", "accuracy"), List.copyOf(s.validationHistory().keySet()));
        assertEquals(3, s.validationHistory().get("accuracy").length);
        // Measured 0.72, 0.75, 0.78 on the 120 held-out rows; chance is 0.1.
        assertTrue(s.validationHistory().get("accuracy")[2] > 0.5, "validation accuracy");
        // One optimizer step per global batch of 50 over the training rows, every epoch (local steps count one each).
        long trainRows = rows.filter("not valid").count();
        assertEquals(3 * ((trainRows + 49) / 50), s.totalIterations());
    }

    /** Params: the command line's defaults and checks, explainParams, copy with extra values, estimators saved and loaded. */
    @Test
    void paramsHaveTheCommandLinesDefaultsAndSurviveCopyAndSave() throws Exception {
        NeuralNetClassifier nn = new NeuralNetClassifier().setLayers(4, 3);
        assertEquals(0.1, nn.getStepSize());
        assertEquals(128, nn.getBatchSize());
        assertEquals(64, nn.getLocalSteps());
        assertEquals("cosine", nn.getSchedule());
        String explained = nn.explainParams();
        assertTrue(explained.contains("stepSize: Base learning rate. (the command line's --lr) (default: 0.1)"),
                explained);
        assertEquals("adam", nn.copy(ParamMap.empty()).setOptimizer("Adam").getOptimizer(), "names in canonical form");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> nn.setEpochs(0));
        assertEquals("epochs must be at least 1, got 0", bad.getMessage());
        NeuralNetClassifier copy = nn.copy(new ParamMap().put(nn.epochs().w(9)));
        assertEquals(9, copy.getEpochs());
        assertEquals(nn.uid(), copy.uid());
        assertEquals("4,3", copy.getLayers());
        String path = tmp.resolve("estimator").toString();
        copy.setOptimizer("adam").write().save(path);
        NeuralNetClassifier loaded = NeuralNetClassifier.load(path);
        assertEquals("adam", loaded.getOptimizer());
        assertEquals(9, loaded.getEpochs());
        assertEquals(copy.uid(), loaded.uid());
    }

    private static double meanProbabilityOfOne(Dataset<Row> scored) {
        return scored.select("probability").collectAsList().stream()
                .mapToDouble(r -> ((Vector) r.get(0)).apply(1)).average().orElseThrow();
    }

    private static double sum(Vector v) {
        double s = 0;
        for (double x : v.toArray()) {
            s += x;
        }
        return s;
    }

    /** The first {@code n} images of a split, in [0, 1], with their labels. */
    static RowBlock block(Path dir, String split, int n) throws Exception {
        IdxDataset set = IdxDataset.open(SPARK.sparkContext().hadoopConfiguration(), dir.toString(), split);
        return set.readBlock(SPARK.sparkContext().hadoopConfiguration(), 0, n, 10);
    }

    /** One row per image: features {@code array<float>} in [0, 1], label int. */
    static Dataset<Row> arrays(Path dir, String split, int n) throws Exception {
        RowBlock block = block(dir, split, n);
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            Float[] x = new Float[784];
            for (int j = 0; j < 784; j++) {
                x[j] = block.features()[r * 784 + j];
            }
            rows.add(RowFactory.create(x, block.labels()[r]));
        }
        StructType schema = new StructType()
                .add("features", DataTypes.createArrayType(DataTypes.FloatType, false))
                .add("label", DataTypes.IntegerType);
        return SPARK.createDataFrame(rows, schema);
    }

    /** One row per image: features a dense 784-vector in [0, 1], label int. */
    private static Dataset<Row> vectors(Path dir, String split, int n) throws Exception {
        return arrays(dir, split, n).withColumn("features",
                org.apache.spark.ml.functions.array_to_vector(org.apache.spark.sql.functions.col("features")));
    }

    /** One row per image: 784 double columns p0..p783 in [0, 1], then label (double). */
    private static Dataset<Row> columns(Path dir, String split, int n) throws Exception {
        RowBlock block = block(dir, split, n);
        StructType schema = new StructType();
        for (int j = 0; j < 784; j++) {
            schema = schema.add("p" + j, DataTypes.DoubleType, false);
        }
        schema = schema.add("label", DataTypes.DoubleType, false);
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            Object[] values = new Object[785];
            for (int j = 0; j < 784; j++) {
                values[j] = (double) block.features()[r * 784 + j];
            }
            values[784] = (double) block.labels()[r];
            rows.add(RowFactory.create(values));
        }
        return SPARK.createDataFrame(rows, schema);
    }
}
