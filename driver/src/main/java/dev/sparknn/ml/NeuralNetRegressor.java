package dev.sparknn.ml;

import dev.sparknn.train.Task;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.Regressor;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * A spark.ml estimator that trains a feed-forward network regressor (squared error, one output) on a DataFrame, with
 * the command line's trainer. Input as {@link NeuralNetClassifier}'s, with a numeric {@code labelCol} of real values
 * (finite, not null). By default the features and the label are standardised by the training rows' moments and both
 * transforms are folded into the model, so that it takes raw features and predicts in the label's units. The
 * training options are {@link NeuralNetParams}; {@code layers} must be set and end with 1.
 */
public class NeuralNetRegressor extends Regressor<Vector, NeuralNetRegressor, NeuralNetRegressionModel>
        implements NeuralNetParams<NeuralNetRegressor>, DefaultParamsWritable {

    private static final String PREFIX = "nnr";

    // Not initialised here: Spark's constructors read uid() and the Params before this class's initialisers run.
    private String uid;
    private NeuralNetParamSet nn;

    public NeuralNetRegressor() {
        this(Uids.random(PREFIX));
    }

    public NeuralNetRegressor(String uid) {
        this(Uids.pending(uid), true);
    }

    private NeuralNetRegressor(String uid, boolean pending) {
        uid();
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
    public NeuralNetRegressor copy(ParamMap extra) {
        return (NeuralNetRegressor) defaultCopy(extra);
    }

    /**
     * Checks the options and the input columns; the schema of the fitted model's output. {@code featuresDataType}
     * is not used: the features column may be a vector or an array, as {@link NeuralNetClassifier}'s.
     *
     * @throws IllegalArgumentException naming the Param whose value is out of range, or the column that is missing,
     *                                  of the wrong type, or (an output) already there
     */
    @Override
    public StructType validateAndTransformSchema(StructType schema, boolean fitting, DataType featuresDataType) {
        Training.settings(this, Task.REGRESSION);
        Training.checkInputs(schema, this, getFeaturesCol(), getLabelCol(), fitting);
        return Scoring.Outputs.forRegressor(getPredictionCol()).appendTo(schema);
    }

    @Override
    public NeuralNetRegressionModel train(Dataset<?> dataset) {
        return new NeuralNetRegressionModel(uid(), Training.fit(dataset, this, getFeaturesCol(), getLabelCol(),
                Task.REGRESSION));
    }

    public static MLReader<NeuralNetRegressor> read() {
        return new DefaultParamsReader<>();
    }

    /** @throws IllegalArgumentException if the folder's metadata names another class (Spark's check) */
    public static NeuralNetRegressor load(String path) {
        return read().load(path);
    }
}
