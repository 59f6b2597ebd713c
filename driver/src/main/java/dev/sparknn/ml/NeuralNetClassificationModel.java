package dev.sparknn.ml;

import dev.sparknn.export.OnnxExport;
import dev.sparknn.ops.Network;
import dev.sparknn.store.ModelFile;
import dev.sparknn.train.Task;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.NoSuchElementException;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A trained network classifier, a spark.ml model. {@code transform} appends {@code rawPredictionCol} (the logits, a
 * vector of {@code numClasses} values, even for two classes), {@code probabilityCol} (their softmax) and
 * {@code predictionCol} (the class index as a double; with {@code thresholds}, the argmax of probability/threshold),
 * as Spark's evaluators expect. It scores each partition in blocks of rows with BLAS, takes raw features (a
 * standardisation is folded into the first layer), and works on streaming DataFrames. A row with null features gets
 * null outputs; an output column that already exists is refused by name (set its Param to another name, or to
 * {@code ""} to leave it out).
 *
 * <p>The weights go to the executors in one broadcast per model, made on the first {@code transform} and shared by
 * every later one (and every micro-batch of a stream); Spark's context cleaner frees it once the model and the
 * DataFrames that use it are gone.
 *
 * <p>{@code write().save(path)} writes Spark's JSON metadata and the command line's {@code model.bin}
 * ({@link ModelIO}), on any Hadoop file system, so {@code PipelineModel} saves it and the command line's
 * {@code evaluate} and {@code predict} read {@code path/data/model.bin}.
 */
public class NeuralNetClassificationModel extends ProbabilisticClassificationModel<Vector,
        NeuralNetClassificationModel> implements NeuralNetParams<NeuralNetClassificationModel>, MLWritable {

    private static final String PREFIX = "nnc";

    private String uid;
    private NeuralNetParamSet nn;
    private final Network network;
    private final float[] weights;
    private final TrainingSummary summary;
    private transient Broadcast<float[]> broadcast;

    NeuralNetClassificationModel(String uid, Network network, float[] weights, TrainingSummary summary) {
        this(Uids.pending(uid), network, weights, summary, true);
    }

    private NeuralNetClassificationModel(String uid, Network network, float[] weights, TrainingSummary summary,
                                         boolean pending) {
        uid();
        this.network = network;
        this.weights = weights;
        this.summary = summary;
    }

    @Override
    public String uid() {
        if (uid == null) {
            uid = Uids.take(PREFIX);
        }
        return uid;
    }

    @Override
    public NeuralNetParamSet nn() {
        if (nn == null) {
            nn = new NeuralNetParamSet(this);
        }
        return nn;
    }

    @Override
    public int numClasses() {
        return network.numOutputs();
    }

    @Override
    public int numFeatures() {
        return network.sizes()[0];
    }

    /** The logits of one row (Spark's single-row API; {@code transform} scores blocks of rows). */
    @Override
    public Vector predictRaw(Vector features) {
        float[] out = Scoring.outputs(network, weights, features);
        double[] logits = new double[out.length];
        for (int c = 0; c < out.length; c++) {
            logits[c] = out[c];
        }
        return Vectors.dense(logits);
    }

    @Override
    public Vector raw2probabilityInPlace(Vector rawPrediction) {
        double[] values = ((DenseVector) rawPrediction).values();
        System.arraycopy(Scoring.softmax(values), 0, values, 0, values.length);
        return rawPrediction;
    }

    /** Spark's (the Scala classes declare it twice, with covariant types, which Java must resolve). */
    @Override
    @SuppressWarnings("rawtypes")
    public scala.Tuple3 findSummaryModel() {
        return super.findSummaryModel();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        Training.checkInputs(schema, this, getFeaturesCol(), getLabelCol(), false);
        return outputSchema(schema, getRawPredictionCol(), getProbabilityCol(), getPredictionCol());
    }

    static StructType outputSchema(StructType schema, String raw, String probability, String prediction) {
        StructType out = Training.append(schema, raw, "rawPredictionCol", new VectorUDT());
        out = Training.append(out, probability, "probabilityCol", new VectorUDT());
        return NeuralNetClassifier.withDouble(out, prediction, "predictionCol");
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType schema = transformSchema(dataset.schema(), true);
        double[] thresholds = isDefined(thresholds()) ? getThresholds() : null;
        return Scoring.transform(dataset, schema, getFeaturesCol(), network, broadcast(dataset),
                new Scoring.Outputs(true, getRawPredictionCol(), getProbabilityCol(), getPredictionCol(), thresholds));
    }

    private synchronized Broadcast<float[]> broadcast(Dataset<?> dataset) {
        if (broadcast == null) {
            broadcast = dataset.sparkSession().sparkContext().broadcast(weights,
                    scala.reflect.ClassTag$.MODULE$.apply(float[].class));
        }
        return broadcast;
    }

    @Override
    public NeuralNetClassificationModel copy(ParamMap extra) {
        NeuralNetClassificationModel copy = new NeuralNetClassificationModel(uid(), network, weights, summary);
        return copyValues(copy, extra).setParent(parent());
    }

    /** Whether the model carries its {@link TrainingSummary} (fitted, or loaded from a folder that has one). */
    public boolean hasSummary() {
        return summary != null;
    }

    /** @throws NoSuchElementException if {@link #hasSummary()} is false */
    public TrainingSummary summary() {
        if (summary == null) {
            throw new NoSuchElementException("this model has no training summary");
        }
        return summary;
    }

    /** The network's layer widths, input first. */
    public int[] layerSizes() {
        return network.sizes();
    }

    /**
     * Writes the model as an ONNX file (see {@link OnnxExport}): input {@code features} float32 {@code [N, inputs]},
     * raw as {@code transform} takes them; outputs {@code probabilities} (this model's probability column) and
     * {@code logits} (its rawPrediction), {@code [N, classes]}. Written under a temporary name and renamed.
     *
     * @param overwrite replace an existing file; without it an existing file is refused
     * @throws java.nio.file.FileAlreadyExistsException if {@code file} exists and {@code overwrite} is false
     */
    public void exportOnnx(Path file, boolean overwrite) throws IOException {
        OnnxExport.write(new ModelFile.Model(network, Task.CLASSIFICATION, weights), file, overwrite);
    }

    @Override
    public MLWriter write() {
        NeuralNetClassificationModel model = this;
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                try {
                    ModelIO.save(model, path, sparkSession(), new ModelFile.Model(network, Task.CLASSIFICATION,
                            weights), summary);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    public static MLReader<NeuralNetClassificationModel> read() {
        return new MLReader<>() {
            @Override
            public NeuralNetClassificationModel load(String path) {
                try {
                    ModelIO.Loaded loaded = ModelIO.load(path, sparkSession(),
                            NeuralNetClassificationModel.class.getName(), Task.CLASSIFICATION);
                    NeuralNetClassificationModel model = new NeuralNetClassificationModel(loaded.metadata().uid(),
                            loaded.model().network(), loaded.model().params(), loaded.summary());
                    ModelIO.setParams(loaded, model);
                    return model;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /**
     * @throws UncheckedIOException if a file is missing or damaged, or the folder holds a regressor, naming the file
     */
    public static NeuralNetClassificationModel load(String path) {
        return read().load(path);
    }
}
