package dev.sparknn.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.data.IdxDataset;
import dev.sparknn.data.SparkTestSession;
import dev.sparknn.ops.Activation;
import dev.sparknn.ops.MeanSquaredError;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.store.ModelFile;
import dev.sparknn.train.Task;
import dev.sparknn.testing.Mnist;
import dev.sparknn.testing.Onnx;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java example, as it is there: fit on a DataFrame, score another, evaluate, save and load, export as
 * ONNX; and the standardisation the model folds in.
 */
class LibraryApiIT {

    private static final SparkSession SPARK = SparkTestSession.get();

    @TempDir
    Path tmp;

    /**
     * 3,000 real rows, 3 epochs of 784-64-10 on standardised pixels (the default) with the command line's other
     * defaults: 87.9% on the first 1,000 test images (measured). 80% leaves room for noise; a broken conversion
     * (shuffled labels, wrong column, a standardisation not folded into the model) lands near 10%.
     */
    @Test
    void readmeExample() throws Exception {
        Path dir = Mnist.subset(tmp.resolve("mnist"), 3000, 1000);
        Dataset<Row> train = SparkMlIT.arrays(dir, IdxDataset.TRAIN, 3000).repartition(2);
        Dataset<Row> test = SparkMlIT.arrays(dir, IdxDataset.TEST, 1000);
        String path = tmp.resolve("mnist-model").toString();

        // --- the README's example, from here
        NeuralNetClassifier classifier = new NeuralNetClassifier()
                .setLayers(784, 64, 10)          // input width first, classes last
                .setEpochs(3)
                .setBatchSize(100)
                .setSeed(7);
        NeuralNetClassificationModel model = classifier.fit(train);
        Dataset<Row> scored = model.transform(test);  // + rawPrediction, probability, prediction
        double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(scored);
        System.out.printf("accuracy %.4f, training loss per epoch %s%n", accuracy,
                java.util.Arrays.toString(model.summary().objectiveHistory()));
        model.write().overwrite().save(path);        // metadata/ + data/model.bin, on any Hadoop file system
        NeuralNetClassificationModel loaded = NeuralNetClassificationModel.load(path);
        // --- to here

        // Measured 0.879 on the 1,000 test images (one standard error about 1 point); chance is 0.1.
        assertTrue(accuracy > 0.8, "accuracy " + accuracy);
        assertEquals(List.of("features", "label", "rawPrediction", "probability", "prediction"),
                List.of(scored.columns()));
        assertEquals(scored.select("rawPrediction").collectAsList(),
                loaded.transform(test).select("rawPrediction").collectAsList(), "the loaded model scores the same");

        // Exported as ONNX, the model gives in ONNX Runtime the probability column of transform.
        Path onnx = tmp.resolve("model.onnx");
        model.exportOnnx(onnx, false);
        RowBlock rows = SparkMlIT.block(dir, IdxDataset.TEST, 1000);
        float[] exported = Onnx.run(Files.readAllBytes(onnx), rows.features(), 1000, 784).get("probabilities");
        List<Row> probabilities = scored.select("probability").collectAsList();
        for (int r = 0; r < 1000; r++) {
            Vector p = (Vector) probabilities.get(r).get(0);
            for (int c = 0; c < 10; c++) {
                // ONNX Runtime sums the 784 and 64 products of each float32 output in its own order: logits
                // differ by some ulps times the fan-in (~1e-6 relative), probabilities by less; 1e-5 leaves a
                // margin while a wrong weight, bias or standardisation moves them by far more.
                assertEquals(p.apply(c), exported[r * 10 + c], 1e-5, "row " + r + " class " + c);
            }
        }
        assertThrows(FileAlreadyExistsException.class, () -> model.exportOnnx(onnx, false));

        // A classifier's folder is not a regressor's: Spark's metadata names the class, and the task in model.bin is
        // checked too.
        IllegalArgumentException wrongClass = assertThrows(IllegalArgumentException.class,
                () -> NeuralNetRegressionModel.load(path));
        assertTrue(wrongClass.getMessage().contains("NeuralNetClassificationModel"), wrongClass.getMessage());
        Path bin = Path.of(path, "data", "model.bin");
        ModelFile.write(bin, new Network(new int[] {784, 1}, Activation.RELU, new MeanSquaredError()),
                Task.REGRESSION, new float[785]);
        UncheckedIOException wrongTask = assertThrows(UncheckedIOException.class,
                () -> NeuralNetClassificationModel.load(path));
        assertTrue(wrongTask.getMessage().contains("model file " + bin + " holds a regression model; "
                + "dev.sparknn.ml.NeuralNetClassificationModel needs a classification one"), wrongTask.getMessage());
    }

    /**
     * 400 rows of one informative feature in the tens of thousands (50,000 + 1,000·u, label u ≥ 0.5) and a constant
     * column. Standardised by default, the classifier separates them; the model, with the transform folded into its
     * first layer, classifies the raw rows.
     */
    @Test
    void featuresAreStandardisedByDefaultAndTheModelTakesRawOnes() {
        List<Row> rows = new ArrayList<>();
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < 400; i++) {
            double u = random.nextDouble();
            rows.add(RowFactory.create(new Double[] {50_000 + 1_000 * u, 7.0}, u >= 0.5 ? 1 : 0));
        }
        StructType schema = new StructType()
                .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false))
                .add("label", DataTypes.IntegerType);
        Dataset<Row> df = SPARK.createDataFrame(rows, schema).repartition(2);
        NeuralNetClassifier classifier = new NeuralNetClassifier().setLayers(2, 8, 2).setBatchSize(50).setEpochs(20)
                .setSeed(3);

        Dataset<Row> scored = classifier.fit(df).transform(df);
        double accuracy = (double) scored.filter("prediction = label").count() / scored.count();
        // Measured 1.0: only rows next to u = 0.5 are hard. A model that misses the fold scores about 0.5.
        assertTrue(accuracy > 0.95, "standardised: accuracy " + accuracy);

        Dataset<Row> raw = classifier.setStandardize(false).fit(df).transform(df);
        double rawAccuracy = (double) raw.filter("prediction = label").count() / raw.count();
        // Measured 0.515: on inputs of 50,000 the same learning rate throws the weights about.
        assertTrue(rawAccuracy < 0.9, "raw features in the tens of thousands: accuracy " + rawAccuracy);
    }
}
