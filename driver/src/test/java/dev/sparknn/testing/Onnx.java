package dev.sparknn.testing;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/** Runs an exported ONNX file with ONNX Runtime for Java, the reference the exports are checked against. */
public final class Onnx {

    private Onnx() {
    }

    /**
     * Every output of the graph for one input {@code features}, float32 {@code [rows, width]}.
     *
     * @param model    the ONNX file's bytes
     * @param features {@code [rows, width]} row-major
     * @return output name to its values, {@code [rows, outputs]} row-major, in the graph's output order
     */
    public static Map<String, float[]> run(byte[] model, float[] features, int rows, int width) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(features, 0, rows * width),
                     new long[] {rows, width});
             OrtSession.Result result = session.run(Map.of("features", in))) {
            Map<String, float[]> out = new LinkedHashMap<>();
            for (Map.Entry<String, OnnxValue> e : result) {
                FloatBuffer values = ((OnnxTensor) e.getValue()).getFloatBuffer();
                float[] copy = new float[values.remaining()];
                values.get(copy);
                out.put(e.getKey(), copy);
            }
            return out;
        }
    }
}
