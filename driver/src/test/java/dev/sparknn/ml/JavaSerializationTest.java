package dev.sparknn.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparknn.ops.Activation;
import dev.sparknn.ops.MeanSquaredError;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.SoftmaxCrossEntropy;
import dev.sparknn.ops.WeightInit;
import dev.sparknn.train.Task;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Map;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.junit.jupiter.api.Test;

/**
 * The four stages survive Java serialization, as every Spark stage must (Spark ships a stage captured in a closure,
 * for instance a model whose single-row {@code predict} runs inside a map): their Params, and a model's network,
 * weights and summary ({@link TrainedNetwork}), which score bitwise as before. No Spark session.
 */
class JavaSerializationTest {

    private static final Vector ROW = Vectors.dense(0.5, -1.25, 2.0);

    private static TrainedNetwork trained(Task task, Network net) {
        TrainingSummary summary = new TrainingSummary(new double[] {0.9, 0.4}, 12, Map.of("loss", new double[] {1, 2}));
        return new TrainedNetwork(net, task, net.initParams(WeightInit.parse("xavier"), 3), summary, null,
                null);
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T object) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    @Test
    void classificationModel() throws Exception {
        Network net = new Network(new int[] {3, 4, 2}, Activation.RELU, new SoftmaxCrossEntropy());
        NeuralNetClassificationModel model = new NeuralNetClassificationModel("nnc_test",
                trained(Task.CLASSIFICATION, net)).setPredictionCol("p").setEpochs(7);
        NeuralNetClassificationModel back = roundTrip(model);
        assertEquals("nnc_test", back.uid());
        assertEquals("p", back.getPredictionCol());
        assertEquals(7, back.getEpochs());
        assertEquals(model.predictRaw(ROW), back.predictRaw(ROW), "the same weights");
        assertArrayEquals(new int[] {3, 4, 2}, back.layerSizes());
        assertArrayEquals(new double[] {0.9, 0.4}, back.summary().objectiveHistory());
        assertEquals(12, back.summary().totalIterations());
    }

    @Test
    void regressionModel() throws Exception {
        Network net = new Network(new int[] {3, 4, 1}, Activation.TANH, new MeanSquaredError());
        NeuralNetRegressionModel model = new NeuralNetRegressionModel("nnr_test", trained(Task.REGRESSION, net))
                .setPredictionCol("yHat");
        NeuralNetRegressionModel back = roundTrip(model);
        assertEquals("nnr_test", back.uid());
        assertEquals("yHat", back.getPredictionCol());
        assertEquals(model.predict(ROW), back.predict(ROW), "the same weights");
        assertArrayEquals(new double[] {1, 2}, back.summary().validationHistory().get("loss"));
    }

    @Test
    void estimators() throws Exception {
        NeuralNetClassifier classifier = roundTrip(new NeuralNetClassifier("nnc_e").setLayers(3, 4, 2).setEpochs(7));
        assertEquals("nnc_e", classifier.uid());
        assertEquals("3,4,2", classifier.getLayers());
        assertEquals(7, classifier.getEpochs());
        NeuralNetRegressor regressor = roundTrip(new NeuralNetRegressor("nnr_e").setLayers(3, 1).setStepSize(0.5));
        assertEquals("nnr_e", regressor.uid());
        assertEquals(0.5, regressor.getStepSize());
    }
}
