package dev.sparknn.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.ops.Activation;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.SoftmaxCrossEntropy;
import dev.sparknn.ops.WeightInit;
import dev.sparknn.store.ModelFile;
import dev.sparknn.train.Task;
import java.util.List;
import java.util.ServiceLoader;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Transformer;
import org.junit.jupiter.api.Test;

/**
 * Spark Connect's registry: Spark 4's Connect server creates only the stages that {@link ServiceLoader} lists
 * (META-INF/services), and listing fails for a class without a public no-argument constructor. The empty models made
 * for it refuse everything but their Params, by name. No Spark session.
 */
class ConnectRegistryTest {

    private static List<String> listed(Class<?> service) {
        return ServiceLoader.load(service).stream().map(p -> p.type().getName()).toList();
    }

    @Test
    void theFourStagesAreListedForSparkConnect() {
        assertTrue(listed(Estimator.class).containsAll(List.of(NeuralNetClassifier.class.getName(),
                NeuralNetRegressor.class.getName())), () -> listed(Estimator.class).toString());
        assertTrue(listed(Transformer.class).containsAll(List.of(NeuralNetClassificationModel.class.getName(),
                NeuralNetRegressionModel.class.getName())), () -> listed(Transformer.class).toString());
    }

    @Test
    void anEmptyModelHasItsParamsAndRefusesTheRestByName() {
        NeuralNetClassificationModel model = new NeuralNetClassificationModel();
        assertEquals(5, model.getEpochs());
        IllegalStateException e = assertThrows(IllegalStateException.class, model::numClasses);
        assertEquals("this NeuralNetClassificationModel holds no network (it was made empty, for Spark Connect's "
                + "registry); a model comes from fit or load", e.getMessage());
        assertThrows(IllegalStateException.class, new NeuralNetRegressionModel()::weightsSha256);
    }

    @Test
    void weightsSha256IsTheModelFilesHashOfTheWeights() {
        Network net = new Network(new int[] {3, 4, 2}, Activation.RELU, new SoftmaxCrossEntropy());
        float[] weights = net.initParams(WeightInit.parse("xavier"), 3);
        NeuralNetClassificationModel model = new NeuralNetClassificationModel("nnc_test",
                new TrainedNetwork(net, Task.CLASSIFICATION, weights, null, null, null));
        assertEquals(ModelFile.sha256(weights), model.weightsSha256());
        float[] nudged = weights.clone();
        nudged[0] = Math.nextUp(nudged[0]);  // one ulp in one weight
        assertNotEquals(model.weightsSha256(), new NeuralNetClassificationModel("nnc_nudged",
                new TrainedNetwork(net, Task.CLASSIFICATION, nudged, null, null, null)).weightsSha256());
    }
}
