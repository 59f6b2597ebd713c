package dev.sparknn.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.data.IdxDataset;
import dev.sparknn.ops.Activation;
import dev.sparknn.ops.Loss;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.ops.Standardization;
import dev.sparknn.ops.WeightInit;
import dev.sparknn.ops.Workspace;
import dev.sparknn.store.ModelFile;
import dev.sparknn.testing.Mnist;
import dev.sparknn.testing.Onnx;
import dev.sparknn.train.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Exported models of networks trained on real MNIST, run by ONNX Runtime on the first 1,000 real test images, give
 * the outputs of our own predict (the {@code predict} command's forward pass over the saved model.bin) within
 * {@value #TOLERANCE}: for every hidden activation, with and without a standardisation folded into the first layer;
 * for a classifier trained with squared error; for a convolutional network with batch normalization and dropout;
 * and for a regressor of {@code examples/linear.csv} in its own units.
 *
 * <p>The networks are trained here, without Spark, by plain mini-batch gradient descent on 3,000 training images:
 * enough for confident, far-from-uniform probabilities, which are what a serving system sees.
 */
class OnnxExportIT {

    /**
     * Absolute, on probabilities in [0, 1]; relative to max(1, |y|) for regression. Both sides compute in float32 and
     * sum the 784 products of a unit in their own orders; measured up to 1.0e-6 (ReLU, with and without
     * standardisation), 4.8e-7 for the squared-error classifier and 2.2e-7 relative for the regressor, here, with
     * native OpenBLAS. Higham's worst case for a fan-in of 784, γ_784 ≈ 4.7e-5 times Σ|w·x|, is far above what
     * rounding errors of random sign reach.
     */
    private static final double TOLERANCE = 1e-5;
    private static final int TRAIN_ROWS = 3000;
    private static final int TEST_ROWS = 1000;

    @TempDir
    static Path tmp;
    private static RowBlock train;
    private static RowBlock test;

    @BeforeAll
    static void readMnist() throws Exception {
        Configuration conf = new Configuration();
        train = IdxDataset.open(conf, Mnist.dir().toString(), IdxDataset.TRAIN).readBlock(conf, 0, TRAIN_ROWS, 10);
        test = IdxDataset.open(conf, Mnist.dir().toString(), IdxDataset.TEST).readBlock(conf, 0, TEST_ROWS, 10);
    }

    /**
     * Weights after {@code epochs} of mini-batch gradient descent (batch 100, rows in order) on {@code rows}, with
     * dropout masks keyed by step and batch normalization's running statistics updated, as a training run does.
     */
    private static float[] trainedParams(Network net, RowBlock rows, double lr, int epochs) {
        float[] params = net.initParams(WeightInit.parse("auto"), 11);
        int[] order = new int[rows.rows()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        int batch = 100;
        Workspace ws = net.newWorkspace(batch);
        float[] grad = new float[params.length];
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int from = 0; from < rows.rows(); from += batch) {
                int n = Math.min(batch, rows.rows() - from);
                ws.trainingStep(dev.sparknn.ops.Dropout.stepKey(11, epoch, from, 0, 0));
                net.gradient(params, rows, order, from, n, ws, grad);
                // Batch normalization's running statistics are not trained: their new values come out of the sum.
                float[] state = net.takeState(grad, n);
                for (int i = 0; i < params.length; i++) {
                    params[i] -= (float) (lr * grad[i] / n);
                }
                net.restoreState(params, state);
            }
        }
        return params;
    }

    /**
     * Trains {@code net} (on standardised rows if asked, folding the standardisation into the saved weights as a
     * training run does), saves it as model.bin, reads it back and exports it: the model a user would export.
     */
    private static ModelFile.Model trainSaveAndReadBack(String name, Network net, Task task, RowBlock rows,
                                                        boolean standardize, double lr, int epochs) throws Exception {
        float[] params;
        if (standardize) {
            Standardization s = Standardization.Moments.of(rows).standardization();
            params = s.foldInto(net, trainedParams(net, s.apply(rows), lr, epochs));
        } else {
            params = trainedParams(net, rows, lr, epochs);
        }
        Path file = tmp.resolve(name + ".bin");
        ModelFile.write(file, net, task, params);
        return ModelFile.read(file);
    }

    /** Our predict over {@code rows} and ONNX Runtime's outputs over the same rows, of the exported file. */
    private static Map<String, float[]> exportAndRun(ModelFile.Model m, String name, RowBlock rows) throws Exception {
        Path onnx = tmp.resolve(name + ".onnx");
        OnnxExport.write(m, onnx, false);
        return Onnx.run(Files.readAllBytes(onnx), rows.features(), rows.rows(), rows.numFeatures());
    }

    private static float[] ourPredict(ModelFile.Model m, RowBlock rows) {
        Network net = m.network();
        float[] out = new float[rows.rows() * net.numOutputs()];
        net.predict(m.params(), rows.features(), rows.rows(), net.newWorkspace(256), out);
        return out;
    }

    private static double maxAbsDifference(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }

    private static double accuracy(float[] scores, RowBlock rows) {
        int[] predicted = Network.predictedClasses(scores, rows.rows(), 10);
        int correct = 0;
        for (int r = 0; r < rows.rows(); r++) {
            correct += predicted[r] == rows.labels()[r] ? 1 : 0;
        }
        return (double) correct / rows.rows();
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void probabilitiesMatchOurPredictOnRealTestImages(Activation hidden) throws Exception {
        for (boolean standardize : new boolean[] {false, true}) {
            String name = hidden + (standardize ? "-standardized" : "");
            Network net = new Network(new int[] {784, 32, 16, 10}, hidden, Loss.parse("softmax-ce"));
            // Sigmoid learns slowly at the rate that suits the others.
            double lr = hidden == Activation.SIGMOID ? 0.5 : 0.1;
            ModelFile.Model m = trainSaveAndReadBack(name, net, Task.CLASSIFICATION, train, standardize, lr, 10);
            float[] ours = ourPredict(m, test);
            Map<String, float[]> onnx = exportAndRun(m, name, test);

            assertEquals(List.of("probabilities", "logits"), List.copyOf(onnx.keySet()), name);
            double diff = maxAbsDifference(ours, onnx.get("probabilities"));
            assertTrue(diff <= TOLERANCE, name + ": max |ONNX Runtime - predict| = " + diff);
            double acc = accuracy(ours, test);
            // Trained weights (measured: 81% to 88%), far above chance, so the rows compared are not near-uniform.
            assertTrue(acc > 0.75, name + ": test accuracy " + acc);
            // Exact: a count of rows over 1,000, equal when every argmax agrees, otherwise at least 1e-3 apart.
            assertEquals(acc, accuracy(onnx.get("probabilities"), test), name);
        }
    }

    @Test
    void anMseClassifiersScoresMatchOurPredict() throws Exception {
        Network net = new Network(new int[] {784, 32, 10}, Activation.RELU, Loss.parse("mse"));
        ModelFile.Model m = trainSaveAndReadBack("mse", net, Task.CLASSIFICATION, train, false, 0.1, 10);
        float[] ours = ourPredict(m, test);
        Map<String, float[]> onnx = exportAndRun(m, "mse", test);
        assertEquals(List.of("scores"), List.copyOf(onnx.keySet()));
        double diff = maxAbsDifference(ours, onnx.get("scores"));
        assertTrue(diff <= TOLERANCE, "max |ONNX Runtime - predict| = " + diff);
        assertTrue(accuracy(ours, test) > 0.75, "test accuracy " + accuracy(ours, test) + " (measured: 85%)");
    }

    /**
     * A convolutional network with batch normalization after the convolution and after the hidden affine layer,
     * and dropout, trained on the 3,000 images (so the running statistics are the data's, not their start) and saved
     * as a version 4 model.bin: ONNX Runtime's probabilities on the 1,000 test images are our predict's. Both sides
     * sum in their own orders (our im2col and sgemm, ONNX Runtime's own convolution) over fan-ins of 25 and 1,152;
     * measured 3.3e-7, at 84.2% test accuracy after 2 epochs.
     */
    @Test
    void aConvolutionalNetworkWithBatchNormalizationAndDropoutMatchesOurPredict() throws Exception {
        Network net = new Network("1x28x28,conv:8:5,batchnorm,relu,maxpool:2,dropout:0.25,affine:32,batchnorm,relu,"
                + "dropout:0.25,affine:10", Activation.RELU, Loss.parse("softmax-ce"));
        ModelFile.Model m = trainSaveAndReadBack("cnn", net, Task.CLASSIFICATION, train, false, 0.1, 2);
        float[] start = net.initParams(WeightInit.parse("auto"), 11);
        for (dev.sparknn.ops.Layer l : net.layers()) {
            if (l instanceof dev.sparknn.ops.BatchNormalization bn) {
                assertTrue(m.params()[bn.meanOffset()] != start[bn.meanOffset()]
                        && m.params()[bn.varianceOffset()] != start[bn.varianceOffset()], "running statistics moved");
            }
        }
        float[] ours = ourPredict(m, test);
        Map<String, float[]> onnx = exportAndRun(m, "cnn", test);
        assertEquals(List.of("probabilities", "logits"), List.copyOf(onnx.keySet()));
        double diff = maxAbsDifference(ours, onnx.get("probabilities"));
        assertTrue(diff <= TOLERANCE, "max |ONNX Runtime - predict| = " + diff);
        double acc = accuracy(ours, test);
        assertTrue(acc > 0.75, "test accuracy " + acc);
        assertEquals(acc, accuracy(onnx.get("probabilities"), test));
    }

    /**
     * {@code examples/linear.csv}, {@code y = 2x + 10} plus noise of standard deviation 0.5, fitted with a
     * standardised {@code x}: the exported {@code prediction} is in y's units, and equals our predict.
     */
    @Test
    void aRegressorPredictsInTheTargetsUnitsAsOurPredictDoes() throws Exception {
        List<String> lines = Files.readAllLines(Path.of(System.getProperty("sparknn.repo", "."), "examples",
                "linear.csv"));
        int n = lines.size() - 1;
        float[] x = new float[n];
        float[] y = new float[n];
        for (int r = 0; r < n; r++) {
            String[] cells = lines.get(r + 1).split(",");
            x[r] = Float.parseFloat(cells[0]);
            y[r] = Float.parseFloat(cells[1]);
        }
        RowBlock rows = RowBlock.regression(n, 1, x, 1, y);
        Network net = new Network(new int[] {1, 16, 1}, Activation.TANH, Loss.parse("mse"));
        ModelFile.Model m = trainSaveAndReadBack("linear", net, Task.REGRESSION, rows, true, 0.02, 300);
        float[] ours = ourPredict(m, rows);
        Map<String, float[]> onnx = exportAndRun(m, "linear", rows);

        assertEquals(List.of("prediction"), List.copyOf(onnx.keySet()));
        float[] theirs = onnx.get("prediction");
        double worst = 0;
        double squares = 0;
        for (int r = 0; r < n; r++) {
            worst = Math.max(worst, Math.abs(ours[r] - theirs[r]) / Math.max(1, Math.abs(ours[r])));
            squares += (theirs[r] - (2.0 * x[r] + 10)) * (theirs[r] - (2.0 * x[r] + 10));
        }
        assertTrue(worst <= TOLERANCE, "max relative |ONNX Runtime - predict| = " + worst);
        // In y's units, close to the line itself (measured RMSE 0.05; the noise around it is 0.5, and a model in
        // standardised units would be off by about 20).
        double rmse = Math.sqrt(squares / n);
        assertTrue(rmse < 0.5, "RMSE from 2x + 10: " + rmse);
    }

    /**
     * ONNX's own checker, with shape inference, passes the file: run by Debian's {@code python3-onnx} (ONNX 1.12, the
     * oldest release the export targets) when it is installed, and skipped otherwise.
     */
    @Test
    void onnxsOwnCheckerPassesTheFileWhenPythonOnnxIsInstalled() throws Exception {
        String python = null;
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            if (runs(candidate, "-c", "import onnx")) {
                python = candidate;
                break;
            }
        }
        Assumptions.assumeTrue(python != null, "python3 with the onnx package (Debian: python3-onnx) is not installed");
        for (String layers : List.of("784,32,16,10", "1x28x28,conv:8:5:2:1,batchnorm,relu,maxpool:2,dropout:0.5,"
                + "affine:32,batchnorm,tanh,affine:10")) {
            Network net = new Network(layers, Activation.SIGMOID, Loss.parse("softmax-ce"));
            ModelFile.Model m = new ModelFile.Model(net, Task.CLASSIFICATION, net.initParams(WeightInit.parse("auto"),
                    1));
            Path onnx = tmp.resolve("checked-" + layers.length() + ".onnx");
            OnnxExport.write(m, onnx, false);
            assertTrue(runs(python, "-c", "import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), "
                    + "full_check=True)", onnx.toString()), "onnx.checker refused " + onnx + " (see the output above)");
        }
    }

    /** Whether the command exits 0 within a minute; its output goes to this JVM's. */
    private static boolean runs(String... command) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).inheritIO().start();
        } catch (java.io.IOException e) {
            return false;
        }
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }
}
