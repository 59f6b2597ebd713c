package dev.sparknn.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.ops.Activation;
import dev.sparknn.ops.BatchNormalization;
import dev.sparknn.ops.Layer;
import dev.sparknn.ops.Loss;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.WeightInit;
import dev.sparknn.store.ModelFile;
import dev.sparknn.testing.Onnx;
import dev.sparknn.train.Task;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Networks of explicit layers exported to ONNX (Reshape, Conv, MaxPool, BatchNormalization, Flatten, Gemm; no node for
 * dropout) and run by ONNX Runtime give our {@code predict}'s probabilities, on random weights and running statistics.
 */
class OnnxLayersTest {

    /**
     * float32 throughout, summed in different orders (im2col and sgemm against ONNX Runtime's convolution): measured
     * up to 1.2e-7 on probabilities; a wrong layout (a transposed kernel, a missing padding) moves them by 1e-2 or more.
     */
    private static final double TOLERANCE = 1e-5;

    @ParameterizedTest
    @ValueSource(strings = {
            "1x28x28,conv:30:5,relu,maxpool:2,affine:100,relu,affine:10",
            "2x9x8,conv:4:3:2:1,batchnorm,tanh,maxpool:2:1,dropout:0.5,affine:6,batchnorm,sigmoid,affine:3",
            "12,affine:8,batchnorm,relu,dropout:0.2,affine:3",
            "1x6x6,conv:3:3,relu,maxpool:2"})
    void probabilitiesMatchOurPredict(String layers) throws Exception {
        Network net = new Network(layers, Activation.RELU, Loss.parse("softmax-ce"));
        float[] params = net.initParams(WeightInit.parse("auto"), 7);
        Random random = new Random(3);
        for (Layer layer : net.layers()) {
            if (layer instanceof BatchNormalization bn) {
                for (int i = bn.offset(); i < bn.offset() + bn.numParams(); i++) {
                    params[i] = i < bn.varianceOffset() ? (float) random.nextGaussian() : 0.5f + random.nextFloat();
                }
            }
        }
        ModelFile.Model model = new ModelFile.Model(net, Task.CLASSIFICATION, params);
        int rows = 5;
        float[] x = new float[rows * net.numInputs()];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        float[] ours = new float[rows * net.numOutputs()];
        net.predict(params, x, rows, net.newWorkspace(rows), ours);
        Map<String, float[]> onnx = Onnx.run(OnnxExport.toBytes(model), x, rows, net.numInputs());
        assertEquals(List.of("probabilities", "logits"), List.copyOf(onnx.keySet()));
        float[] theirs = onnx.get("probabilities");
        assertEquals(ours.length, theirs.length);
        double worst = 0;
        for (int i = 0; i < ours.length; i++) {
            worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
        }
        assertTrue(worst <= TOLERANCE, layers + ": max |ONNX Runtime - predict| = " + worst);
        String ops = OnnxExport.toProto(model).getGraph().getNodeList().stream().map(n -> n.getOpType())
                .collect(Collectors.joining(","));
        assertTrue(!ops.contains("Dropout"), ops);
        assertEquals(net.spelling(), OnnxExport.metadata(model).get("layers"));
    }
}
