package dev.sparknn.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.data.SparkTestSession;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training ranges a spark.ml model keeps: recorded by {@code fit}, saved and loaded with the model, and checked by
 * {@code checkInputRanges} against other data, as the command line's {@code predict} checks them.
 */
class InputRangesIT {

    static final SparkSession SPARK = SparkTestSession.get();
    static final StructType SCHEMA = new StructType().add("features", new VectorUDT()).add("label",
            DataTypes.DoubleType);

    @TempDir
    Path tmp;

    /** 100 rows of 2 inputs: input 0 is i / 99 in [0, 1], input 1 is 0.5 + i / 198 in [0.5, 1]; {@code scale} times. */
    private static Dataset<Row> rows(double scale) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            rows.add(RowFactory.create(Vectors.dense(scale * i / 99, scale * (0.5 + i / 198.0)), (double) (i % 2)));
        }
        return SPARK.createDataFrame(rows, SCHEMA);
    }

    private static NeuralNetClassificationModel fitted() {
        return new NeuralNetClassifier().setLayers(2, 4, 2).setEpochs(1).setBatchSize(10).setSeed(3)
                .setNumPartitions(2).fit(rows(1));
    }

    @Test
    void aModelFittedOnZeroToOneWarnsFor0To255AndNotForItsOwnRange() {
        NeuralNetClassificationModel model = fitted();
        assertTrue(model.hasInputRanges());
        assertEquals(Optional.empty(), model.checkInputRanges(rows(1)), "the training rows are inside");
        // One range over all inputs, [0, 1]: far outside is beyond [-1, 2].
        assertEquals(Optional.empty(), model.checkInputRanges(rows(1.4)));
        // 0-255: input 0 holds i * 255 / 99, beyond 2 from i = 1 (99 values); input 1 beyond 2 in every row.
        assertEquals("column 'features' holds values far outside the model's training range (inputs: 199 of 200 "
                + "values, seen [0, 255] against [0, 1] in training); scale the inputs as the training data was (IDX images are read as "
                + "pixel / 255), or the predictions mean little", model.checkInputRanges(rows(255)).orElseThrow());
        // Null features are skipped, as transform gives them null outputs; an empty DataFrame has nothing outside.
        Dataset<Row> withNull = SPARK.createDataFrame(List.of(RowFactory.create(null, 0.0),
                RowFactory.create(Vectors.dense(300, 0.7), 1.0)), SCHEMA);
        assertTrue(model.checkInputRanges(withNull).orElseThrow().contains("inputs: 1 of 2 values, seen "
                + "[0.7, 300]"));
        assertEquals(Optional.empty(), model.checkInputRanges(rows(1).limit(0)));
        Exception wide = assertThrows(Exception.class, () -> model.checkInputRanges(
                SPARK.createDataFrame(List.of(RowFactory.create(Vectors.dense(1, 2, 3), 0.0)), SCHEMA)));
        assertTrue(wide.getMessage().contains("a features vector has 3 values, layers starts with 2"),
                wide.getMessage());
    }

    @Test
    void theRangesAreSavedAndLoadedAndAModelSavedWithoutThemStillLoads() throws Exception {
        NeuralNetClassificationModel model = fitted();
        Path dir = tmp.resolve("model");
        model.write().save(dir.toString());
        assertTrue(Files.exists(dir.resolve(ModelIO.RANGES)));
        NeuralNetClassificationModel loaded = NeuralNetClassificationModel.load(dir.toString());
        assertTrue(loaded.hasInputRanges());
        assertEquals(model.checkInputRanges(rows(255)), loaded.checkInputRanges(rows(255)));
        assertEquals(Optional.empty(), loaded.checkInputRanges(rows(1)));

        // A model saved before models kept their ranges: no ranges.json. It loads, scores, and checks nothing.
        Files.delete(dir.resolve(ModelIO.RANGES));
        NeuralNetClassificationModel old = NeuralNetClassificationModel.load(dir.toString());
        assertFalse(old.hasInputRanges());
        assertEquals(Optional.empty(), old.checkInputRanges(rows(255)));
        assertEquals(model.transform(rows(1)).select("prediction").collectAsList(),
                old.transform(rows(1)).select("prediction").collectAsList());
    }

    @Test
    void aDamagedRangesFileIsNamed() throws Exception {
        Path dir = tmp.resolve("damaged");
        fitted().write().save(dir.toString());
        // Hadoop's local file system keeps a checksum beside each file; hand edits go without it.
        Files.deleteIfExists(dir.resolve("data/.ranges.json.crc"));
        Files.writeString(dir.resolve(ModelIO.RANGES), "{\"min\": [0, 0.5], \"max\": [1]}");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> NeuralNetClassificationModel.load(dir.toString()));
        assertTrue(e.getMessage().contains("ranges.json: 'max' must be an array of 2 numbers (one per input), it is "
                + "[1]"), e.getMessage());
        Files.deleteIfExists(dir.resolve("data/.ranges.json.crc"));
        Files.writeString(dir.resolve(ModelIO.RANGES), "{\"min\": [0, \"a\"], \"max\": [1, 1]}");
        e = assertThrows(UncheckedIOException.class, () -> NeuralNetClassificationModel.load(dir.toString()));
        assertTrue(e.getMessage().contains("ranges.json: 'min' holds \"a\" at position 1, not a number"),
                e.getMessage());
    }

    /** The regressor keeps them too, through the same fit. */
    @Test
    void theRegressorKeepsItsRanges() {
        NeuralNetRegressionModel model = new NeuralNetRegressor().setLayers(2, 4, 1).setEpochs(1).setBatchSize(10)
                .setSeed(3).fit(rows(1));
        assertTrue(model.hasInputRanges());
        assertTrue(model.checkInputRanges(rows(255)).orElseThrow().contains("inputs: 199 of 200 values, seen "
                + "[0, 255] against [0, 1] in training"));
        assertEquals(Optional.empty(), model.checkInputRanges(rows(1)));
    }
}
