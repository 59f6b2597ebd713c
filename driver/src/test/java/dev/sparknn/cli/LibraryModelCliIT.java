package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.data.IdxDataset;
import dev.sparknn.data.SparkTestSession;
import dev.sparknn.ml.NeuralNetClassificationModel;
import dev.sparknn.ml.NeuralNetClassifier;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.testing.Mnist;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model saved by the library is read by the command line's {@code evaluate}, which scores it as transform does, and
 * by {@code predict}, which finds its features in a table by the names {@code --features} gives.
 */
class LibraryModelCliIT {

    private static final SparkSession SPARK = SparkTestSession.get();

    @TempDir
    Path tmp;

    @Test
    void evaluateReadsTheSavedModelBin() throws Exception {
        Path dir = Mnist.subset(tmp.resolve("mnist"), 1000, 500);
        Dataset<Row> train = rows(dir, IdxDataset.TRAIN, 1000);
        Dataset<Row> test = rows(dir, IdxDataset.TEST, 500);
        NeuralNetClassificationModel model = new NeuralNetClassifier().setLayers(784, 16, 10).setEpochs(2)
                .setBatchSize(50).fit(train);
        String path = tmp.resolve("model").toString();
        model.write().save(path);
        long correct = model.transform(test).filter("prediction = label").count();

        MainIT.Run evaluated = MainIT.run("evaluate", "--model", Path.of(path, "data", "model.bin").toString(),
                "--data", dir.toString(), "--partitions", "2");
        assertEquals(0, evaluated.code(), evaluated.err());
        Matcher m = Pattern.compile("accuracy [\\d.]+%  \\(([\\d,]+) correct\\)").matcher(evaluated.out());
        assertTrue(m.find(), evaluated.out());
        assertEquals(correct, Long.parseLong(m.group(1).replace(",", "")), evaluated.out());

        checkPredictFindsTheFeaturesByName(dir, Path.of(path, "data", "model.bin"),
                model.transform(test).select("prediction").takeAsList(5));
    }

    /**
     * The saved model.bin stores no feature names: predict reads a table of the first test images, whose pixel
     * columns come in reverse order after a label column, by the names --features gives, and predicts what
     * transform predicted; without --features the table is refused (read by position, it has a column too many).
     */
    private void checkPredictFindsTheFeaturesByName(Path dir, Path modelBin, List<Row> transformed) throws Exception {
        RowBlock block = IdxDataset.open(SPARK.sparkContext().hadoopConfiguration(), dir.toString(), IdxDataset.TEST)
                .readBlock(SPARK.sparkContext().hadoopConfiguration(), 0, 5, 10);
        StringBuilder csv = new StringBuilder("label");
        for (int j = 783; j >= 0; j--) {
            csv.append(",px").append(j);
        }
        for (int r = 0; r < 5; r++) {
            csv.append('\n').append(block.labels()[r]);
            for (int j = 783; j >= 0; j--) {
                csv.append(',').append(block.features()[r * 784 + j]);
            }
        }
        Path table = java.nio.file.Files.writeString(tmp.resolve("reversed.csv"), csv.append('\n'));
        String names = String.join(",", java.util.stream.IntStream.range(0, 784).mapToObj(j -> "px" + j).toList());
        MainIT.Run predicted = MainIT.run("predict", "--model", modelBin.toString(), "--input", table.toString(),
                "--features", names);
        assertEquals(0, predicted.code(), predicted.err());
        List<String> lines = predicted.out().lines().toList();
        assertEquals(6, lines.size(), predicted.out());
        for (int r = 0; r < 5; r++) {
            assertEquals((int) transformed.get(r).getDouble(0), Integer.parseInt(lines.get(1 + r).split(",")[1]),
                    "row " + r + ": " + lines.get(1 + r));
        }
        MainIT.Run positional = MainIT.run("predict", "--model", modelBin.toString(), "--input", table.toString());
        assertEquals(Main.EXIT_DATA, positional.code(), positional.err());
        assertTrue(positional.err().contains("reversed.csv has 785 columns") && positional.err().contains(
                "the model stores no feature names, so name its columns with --features"), positional.err());
    }

    private static Dataset<Row> rows(Path dir, String split, int n) throws Exception {
        IdxDataset set = IdxDataset.open(SPARK.sparkContext().hadoopConfiguration(), dir.toString(), split);
        RowBlock block = set.readBlock(SPARK.sparkContext().hadoopConfiguration(), 0, n, 10);
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            double[] x = new double[784];
            for (int j = 0; j < 784; j++) {
                x[j] = block.features()[r * 784 + j];
            }
            rows.add(RowFactory.create(x, block.labels()[r]));
        }
        return SPARK.createDataFrame(rows, new StructType()
                .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false))
                .add("label", DataTypes.IntegerType));
    }
}
