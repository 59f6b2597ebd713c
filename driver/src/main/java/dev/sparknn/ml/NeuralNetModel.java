package dev.sparknn.ml;

import dev.sparknn.export.OnnxExport;
import dev.sparknn.ops.Network;
import dev.sparknn.store.ModelFile;
import dev.sparknn.train.Task;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * A trained network that adds columns to a DataFrame, as a Spark ML model does: {@code probability}
 * ({@code array<double>}, one per class) and {@code prediction} (the most probable class). Saved and loaded in the
 * command line's model.bin format, so {@code evaluate} and {@code predict} read it too, and exported as ONNX for
 * serving without Spark ({@link #exportOnnx}).
 */
public final class NeuralNetModel implements Serializable {

    private final Network network;
    private final float[] params;
    private final String featuresCol;

    NeuralNetModel(Network network, float[] params, String featuresCol) {
        this.network = network;
        this.params = params;
        this.featuresCol = featuresCol;
    }

    public static NeuralNetModel load(Path file, String featuresCol) throws IOException {
        ModelFile.Model m = ModelFile.read(file);
        return new NeuralNetModel(m.network(), m.params(), featuresCol);
    }

    public void save(Path file) throws IOException {
        ModelFile.write(file, network, Task.CLASSIFICATION, params);
    }

    /**
     * Writes the model as an ONNX file (see {@link OnnxExport}): input {@code features} float32 {@code [N, inputs]},
     * the values this model's {@code transform} takes; outputs {@code probabilities} (what {@code transform} puts in
     * its {@code probability} column) and {@code logits}, {@code [N, classes]}, for the softmax classifier that
     * {@link NeuralNetClassifier} trains. The file is written under a temporary name and renamed when complete.
     *
     * @param overwrite replace an existing file; without it an existing file is refused
     * @throws java.nio.file.FileAlreadyExistsException if {@code file} exists and {@code overwrite} is false
     */
    public void exportOnnx(Path file, boolean overwrite) throws IOException {
        OnnxExport.write(new ModelFile.Model(network, Task.CLASSIFICATION, params), file, overwrite);
    }

    /** {@link #exportOnnx(Path, boolean)} that refuses an existing file. */
    public void exportOnnx(Path file) throws IOException {
        exportOnnx(file, false);
    }

    /** {@code data} with {@code probability} and {@code prediction} columns added. */
    public Dataset<Row> transform(Dataset<Row> data) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
        Broadcast<float[]> weights = sc.broadcast(params);
        Network net = network;
        int inputs = net.sizes()[0];
        UserDefinedFunction scores = functions.udf((UDF1<scala.collection.Seq<Number>, double[]>) values -> {
            List<Number> x = scala.jdk.javaapi.CollectionConverters.asJava(values);
            if (x.size() != inputs) {
                throw new IllegalArgumentException("a features array has " + x.size() + " values, the model takes "
                        + inputs);
            }
            float[] in = new float[inputs];
            for (int j = 0; j < inputs; j++) {
                in[j] = x.get(j).floatValue();
            }
            float[] out = new float[net.numOutputs()];
            net.predict(weights.value(), in, 1, net.newWorkspace(1), out);
            double[] probs = new double[out.length];
            for (int c = 0; c < out.length; c++) {
                probs[c] = out[c];
            }
            return probs;
        }, DataTypes.createArrayType(DataTypes.DoubleType, false));
        Column probability = scores.apply(functions.col(featuresCol));
        return data.withColumn("probability", probability)
                .withColumn("prediction", functions.array_position(functions.col("probability"),
                        functions.array_max(functions.col("probability"))).minus(1).cast(DataTypes.IntegerType));
    }
}
