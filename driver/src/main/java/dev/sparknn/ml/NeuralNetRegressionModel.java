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
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.RegressionModel;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A trained network regressor, a spark.ml model: {@code transform} appends {@code predictionCol} (a double, in the
 * label's units), scoring blocks of rows with BLAS; null features give a null prediction. Broadcast, persistence and
 * streaming as {@link NeuralNetClassificationModel}'s.
 */
public class NeuralNetRegressionModel extends RegressionModel<Vector, NeuralNetRegressionModel>
        implements NeuralNetParams<NeuralNetRegressionModel>, MLWritable {

    private static final String PREFIX = "nnr";

    private String uid;
    private NeuralNetParamSet nn;
    private final Network network;
    private final float[] weights;
    private final TrainingSummary summary;
    private transient Broadcast<float[]> broadcast;

    NeuralNetRegressionModel(String uid, Network network, float[] weights, TrainingSummary summary) {
        this(Uids.pending(uid), network, weights, summary, true);
    }

    private NeuralNetRegressionModel(String uid, Network network, float[] weights, TrainingSummary summary,
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
    public int numFeatures() {
        return network.sizes()[0];
    }

    /** One row's prediction (Spark's single-row API; {@code transform} scores blocks of rows). */
    @Override
    public double predict(Vector features) {
        return Scoring.outputs(network, weights, features)[0];
    }

    @Override
    public StructType transformSchema(StructType schema) {
        Training.checkInputs(schema, this, getFeaturesCol(), getLabelCol(), false);
        return NeuralNetClassifier.withDouble(schema, getPredictionCol(), "predictionCol");
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType schema = transformSchema(dataset.schema(), true);
        return Scoring.transform(dataset, schema, getFeaturesCol(), network, broadcast(dataset),
                new Scoring.Outputs(false, "", "", getPredictionCol(), null));
    }

    private synchronized Broadcast<float[]> broadcast(Dataset<?> dataset) {
        if (broadcast == null) {
            broadcast = dataset.sparkSession().sparkContext().broadcast(weights,
                    scala.reflect.ClassTag$.MODULE$.apply(float[].class));
        }
        return broadcast;
    }

    @Override
    public NeuralNetRegressionModel copy(ParamMap extra) {
        NeuralNetRegressionModel copy = new NeuralNetRegressionModel(uid(), network, weights, summary);
        return copyValues(copy, extra).setParent(parent());
    }

    /** Whether the model carries its {@link TrainingSummary}. */
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

    /**
     * Writes the model as an ONNX file ({@link OnnxExport}): input {@code features} float32 {@code [N, inputs]},
     * output {@code prediction} {@code [N, 1]} in the label's units.
     *
     * @throws java.nio.file.FileAlreadyExistsException if {@code file} exists and {@code overwrite} is false
     */
    public void exportOnnx(Path file, boolean overwrite) throws IOException {
        OnnxExport.write(new ModelFile.Model(network, Task.REGRESSION, weights), file, overwrite);
    }

    @Override
    public MLWriter write() {
        NeuralNetRegressionModel model = this;
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                try {
                    ModelIO.save(model, path, sparkSession(), new ModelFile.Model(network, Task.REGRESSION, weights),
                            summary);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    public static MLReader<NeuralNetRegressionModel> read() {
        return new MLReader<>() {
            @Override
            public NeuralNetRegressionModel load(String path) {
                try {
                    ModelIO.Loaded loaded = ModelIO.load(path, sparkSession(), NeuralNetRegressionModel.class.getName(),
                            Task.REGRESSION);
                    NeuralNetRegressionModel model = new NeuralNetRegressionModel(loaded.metadata().uid(),
                            loaded.model().network(), loaded.model().params(), loaded.summary());
                    ModelIO.setParams(loaded, model);
                    return model;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /** @throws UncheckedIOException if a file is missing or damaged, or the folder holds a classifier, naming it */
    public static NeuralNetRegressionModel load(String path) {
        return read().load(path);
    }
}
