package dev.sparknn.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.data.IdxDataset;
import dev.sparknn.data.SparkTestSession;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.testing.Mnist;
import dev.sparknn.testing.Onnx;
import dev.sparknn.train.Optimizer;
import dev.sparknn.train.TrainConfig;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's library example: fit on a DataFrame, transform another, save and export as ONNX, in the test JVM's
 * local session.
 */
class LibraryApiIT {

    private static final SparkSession SPARK = SparkTestSession.get();

    @TempDir
    Path tmp;

    /**
     * 3,000 real rows, 3 epochs of 784-64-10 on standardised pixels (the default): 84.9% on the first 1,000 test
     * images (measured; 85.4% on the raw [0, 1] pixels). 75% leaves room for noise; a broken conversion (shuffled
     * labels, wrong column, a standardisation not folded into the model) lands near 10%.
     */
    @Test
    void fitOnADataFrameThenTransformAddsPredictionAndProbabilityThenSaveAndExport() throws Exception {
        Path dir = Mnist.subset(tmp.resolve("mnist"), 3000, 1000);
        Dataset<Row> train = frame(dir, IdxDataset.TRAIN, 3000).repartition(2);
        Dataset<Row> test = frame(dir, IdxDataset.TEST, 1000);

        NeuralNetModel model = NeuralNetClassifier.builder(784, 64, 10)
                .optimizer(Optimizer.Kind.SGD, 0.1, 0.9).batchSize(100).epochs(3).seed(7).build()
                .fit(train);
        Dataset<Row> scored = model.transform(test);

        assertEquals(List.of("features", "label", "probability", "prediction"), List.of(scored.columns()));
        double accuracy = (double) scored.filter("prediction = label").count() / scored.count();
        assertTrue(accuracy > 0.75, "accuracy " + accuracy);
        Row first = scored.first();
        double sum = first.<Double>getList(2).stream().mapToDouble(Double::doubleValue).sum();
        // float32 softmax: each of the 10 values within a few ulps (1.2e-7 near 1), so the sum within about 1e-6.
        assertEquals(1.0, sum, 1e-5, "probabilities sum to 1");

        Path saved = tmp.resolve("model.bin");
        model.save(saved);
        assertArrayEquals(scored.select("prediction").collectAsList().toArray(),
                NeuralNetModel.load(saved, "features").transform(test).select("prediction").collectAsList().toArray(),
                "a saved and loaded model predicts the same");

        // Exported as ONNX, the model gives in ONNX Runtime the probability column of transform.
        Path onnx = tmp.resolve("model.onnx");
        model.exportOnnx(onnx);
        RowBlock rows = block(dir, IdxDataset.TEST, 1000);
        float[] exported = Onnx.run(Files.readAllBytes(onnx), rows.features(), 1000, 784).get("probabilities");
        List<Row> probabilities = scored.select("probability").collectAsList();
        for (int r = 0; r < 1000; r++) {
            List<Double> p = probabilities.get(r).getList(0);
            for (int c = 0; c < 10; c++) {
                // ONNX Runtime sums the 784 and 64 products of each float32 output in its own order: logits
                // differ by some ulps times the fan-in (~1e-6 relative), probabilities by less; 1e-5 leaves a
                // margin while a wrong weight, bias or standardisation moves them by far more.
                assertEquals(p.get(c), exported[r * 10 + c], 1e-5, "row " + r + " class " + c);
            }
        }
        assertThrows(FileAlreadyExistsException.class, () -> model.exportOnnx(onnx));
        model.exportOnnx(onnx, true);
    }

    /**
     * 400 rows of one informative feature in the tens of thousands (50,000 + 1,000·u, label u ≥ 0.5) and a constant
     * column. Standardised by default, the builder's defaults separate them; the model, with the transform folded
     * into its first layer, classifies the raw rows.
     */
    @Test
    void featuresAreStandardisedByDefaultAndTheModelTakesRawOnes() throws Exception {
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
        NeuralNetClassifier.Builder builder = NeuralNetClassifier.builder(2, 8, 2).batchSize(50).epochs(20).seed(3);

        Dataset<Row> scored = builder.build().fit(df).transform(df);
        double accuracy = (double) scored.filter("prediction = label").count() / scored.count();
        // Measured 1.0: only rows next to u = 0.5 are hard. A model that misses the fold scores about 0.5.
        assertTrue(accuracy > 0.95, "standardised: accuracy " + accuracy);

        Dataset<Row> raw = builder.standardize(false).build().fit(df).transform(df);
        double rawAccuracy = (double) raw.filter("prediction = label").count() / raw.count();
        // Measured 0.515: on inputs of 50,000 the same learning rate throws the weights about.
        assertTrue(rawAccuracy < 0.9, "raw features in the tens of thousands: accuracy " + rawAccuracy);
    }

    @Test
    void badColumnsAreRefusedByName() throws Exception {
        Path dir = Mnist.subset(tmp.resolve("mnist"), 10, 10);
        Dataset<Row> df = frame(dir, IdxDataset.TRAIN, 10);
        NeuralNetClassifier wrongColumn = NeuralNetClassifier.builder(784, 10).columns("pixels", "label").build();
        TrainConfig.ConfigException e = assertThrows(TrainConfig.ConfigException.class, () -> wrongColumn.fit(df));
        assertTrue(e.getMessage().contains("column 'pixels' is missing"), e.getMessage());
        NeuralNetClassifier tooFewClasses = NeuralNetClassifier.builder(784, 5).epochs(1).build();
        Exception tooFew = assertThrows(Exception.class, () -> tooFewClasses.fit(df));
        assertTrue(String.valueOf(tooFew.getMessage()).contains("outside the class range [0, 5)"), tooFew.toString());
    }

    /** The first {@code n} images of a split, in [0, 1], with their labels. */
    private static RowBlock block(Path dir, String split, int n) throws Exception {
        IdxDataset set = IdxDataset.open(SPARK.sparkContext().hadoopConfiguration(), dir.toString(), split);
        return set.readBlock(SPARK.sparkContext().hadoopConfiguration(), 0, n, 10);
    }

    /** One row per image: features array<float> in [0, 1], label int. */
    private static Dataset<Row> frame(Path dir, String split, int n) throws Exception {
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
}
