// Serves a sparknn model exported as ONNX with ONNX Runtime for Java: no Spark, no sparknn classes.
// Run as a single-file program (Java 11+), with the ONNX Runtime jar from Maven Central on the class path:
//   java -cp onnxruntime-1.20.0.jar examples/onnx/ServeOnnx.java model.onnx data/mnist/t10k-images-idx3-ubyte 5
// The input is what the model was trained on: for IDX images, each pixel / 255, one row of 784 values per image.

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

public class ServeOnnx {
    public static void main(String[] args) throws Exception {
        String model = args[0];
        ByteBuffer idx = ByteBuffer.wrap(Files.readAllBytes(Path.of(args[1])));
        int rows = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        if (idx.getInt(0) != 0x00000803) {
            throw new IllegalArgumentException(args[1] + " is not an IDX images file");
        }
        int width = idx.getInt(8) * idx.getInt(12);
        float[] features = new float[rows * width];
        for (int i = 0; i < features.length; i++) {
            features[i] = (idx.get(16 + i) & 0xff) / 255f;
        }

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(features), new long[] {rows, width});
             OrtSession.Result result = session.run(Map.of("features", input))) {
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            System.out.printf("%s: %s %s, layers %s, outputs %s%n", model, session.getMetadata().getProducerName(),
                    meta.get("task"), meta.get("layers"), session.getOutputNames());
            float[][] probabilities = (float[][]) result.get("probabilities").orElseThrow().getValue();
            for (int r = 0; r < rows; r++) {
                int best = 0;
                for (int c = 1; c < probabilities[r].length; c++) {
                    best = probabilities[r][c] > probabilities[r][best] ? c : best;
                }
                System.out.printf("image %d: digit %d (p = %.4f)%n", r, best, probabilities[r][best]);
            }
        }
    }
}
