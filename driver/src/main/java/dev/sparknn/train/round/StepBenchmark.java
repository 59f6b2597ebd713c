package dev.sparknn.train.round;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparknn.data.BlockLoader;
import dev.sparknn.data.IdxDataset;
import dev.sparknn.ops.Activation;
import dev.sparknn.ops.Blas;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.ops.SoftmaxCrossEntropy;
import dev.sparknn.ops.WeightInit;
import dev.sparknn.train.SparkSessions;
import dev.sparknn.train.TrainConfig;
import dev.sparknn.train.TrainOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * The trainer's half of {@code scripts/bench.sh}, printing one JSON object:
 * <ul>
 *   <li>{@code sgemm}: the float32 GEMM peak of this machine's BLAS, one thread and one per core at once;</li>
 *   <li>{@code steps}: the bare Spark step against the real training step in the same JVM, interleaved. The bare
 *       step is the real one with the compute taken out: the same cached partitions, broadcast, float results,
 *       ordered merge and destroy, each task returning zeros at once. Overhead is a real step's wall time minus
 *       its slowest partition's compute.</li>
 *   <li>{@code sgemm_shapes}: the peak for a local step's own products at {@code SHAPE_ROWS} rows (the forward
 *       {@code x·W}, the weight gradient {@code xᵀ·dy} and, past the first layer, {@code dy·Wᵀ} of every layer), one
 *       thread per partition at once as in {@code local[PARTITIONS]}, and each product alone on one thread; the
 *       benchmark holds a step's compute against it.</li>
 * </ul>
 * Usage: {@code StepBenchmark MNIST_DIR LAYERS BATCH PARTITIONS STEPS [SHAPE_ROWS]}; SHAPE_ROWS defaults to
 * {@code BATCH / PARTITIONS}.
 */
public final class StepBenchmark {

    private static final int GEMM_SIZE = 1024;
    private static final int GEMM_REPS = 8;
    private static final int WARMUP_STEPS = 10;
    /** Seconds each thread runs the shapes' products, after as long again of warm-up. */
    private static final double SHAPES_SECONDS = 1.5;

    private StepBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String data = args[0];
        int[] layers = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        int batch = Integer.parseInt(args[2]);
        int partitions = Integer.parseInt(args[3]);
        int steps = Integer.parseInt(args[4]);
        int shapeRows = args.length > 5 ? Integer.parseInt(args[5]) : batch / partitions;
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("blas", Blas.implementation());
        ObjectNode gemm = out.putObject("sgemm");
        gemm.put("size", GEMM_SIZE);
        gemm.put("gflops_1_thread", sgemmGflops(1));
        gemm.put("gflops_all_cores", sgemmGflops(Runtime.getRuntime().availableProcessors()));
        out.set("sgemm_shapes", shapes(layers, shapeRows, partitions));
        SparkSession spark = SparkSessions.create("local[" + partitions + "]", "local");
        try {
            out.set("steps", steps(spark, data, layers, batch, partitions, steps));
        } finally {
            spark.stop();
        }
        System.out.println(out);
    }

    /** Total GFLOP/s of {@code threads} threads each multiplying its own square matrices. */
    static double sgemmGflops(int threads) throws InterruptedException {
        int n = GEMM_SIZE;
        Random random = new Random(1);
        float[][] a = new float[threads][n * n];
        for (float[] m : a) {
            for (int i = 0; i < m.length; i++) {
                m[i] = random.nextFloat();
            }
        }
        float[][] c = new float[threads][n * n];
        CountDownLatch start = new CountDownLatch(1);
        long[] nanos = new long[threads];
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                Blas.gemm(1f, Blas.rowMajor(a[id], 0, n, n), Blas.rowMajor(a[id], 0, n, n), 0f,
                        Blas.rowMajor(c[id], 0, n, n));  // warm-up
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                long t0 = System.nanoTime();
                for (int r = 0; r < GEMM_REPS; r++) {
                    Blas.gemm(1f, Blas.rowMajor(a[id], 0, n, n), Blas.rowMajor(a[id], 0, n, n), 0f,
                            Blas.rowMajor(c[id], 0, n, n));
                }
                nanos[id] = System.nanoTime() - t0;
            });
            workers.add(w);
            w.start();
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        double flops = 2.0 * n * n * n * GEMM_REPS;
        double total = 0;
        for (long t : nanos) {
            total += flops / t;
        }
        return total;
    }

    /**
     * GFLOP/s per thread of a local step's products for {@code layers} at {@code rows} rows: {@code threads} threads
     * at once, each on its own arrays (as partitions run), and each product alone on one thread.
     */
    static ObjectNode shapes(int[] layers, int rows, int threads) throws InterruptedException {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("layers", Arrays.toString(layers));
        o.put("rows", rows);
        o.put("threads", threads);
        o.put("flops_per_step", stepFlops(layers, rows));
        double[] rates = new double[threads];
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                Products p = new Products(layers, rows, id);
                p.rate(-1, SHAPES_SECONDS);  // warm-up
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                rates[id] = p.rate(-1, SHAPES_SECONDS);
            });
            workers.add(w);
            w.start();
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        o.put("gflops_per_thread", Arrays.stream(rates).average().orElse(0));
        Products alone = new Products(layers, rows, 0);
        ObjectNode each = o.putObject("gflops_alone");
        for (int c = 0; c < alone.count(); c++) {
            if (c == 2) {
                continue;  // the first layer's input gradient: a step does not compute it
            }
            alone.rate(c, SHAPES_SECONDS / 3);
            each.put(alone.name(c), alone.rate(c, SHAPES_SECONDS / 3));
        }
        return o;
    }

    /** Floating-point operations of a step's products: 2·rows·in·out for each product that {@link Products} runs. */
    static double stepFlops(int[] layers, int rows) {
        double f = 0;
        for (int l = 0; l + 1 < layers.length; l++) {
            f += 2.0 * rows * layers[l] * layers[l + 1] * (l == 0 ? 2 : 3);
        }
        return f;
    }

    /** A local step's sgemm calls, as Affine makes them, on arrays of their own. */
    private static final class Products {
        private final int[] layers;
        private final int rows;
        private final float[][] x;
        private final float[][] w;
        private final float[][] dy;
        private final float[][] grad;

        Products(int[] layers, int rows, int seed) {
            this.layers = layers;
            this.rows = rows;
            int n = layers.length - 1;
            Random random = new Random(seed);
            x = new float[n + 1][];
            w = new float[n][];
            dy = new float[n + 1][];
            grad = new float[n][];
            for (int l = 0; l <= n; l++) {
                x[l] = random(random, rows * layers[l]);
                dy[l] = random(random, rows * layers[l]);
            }
            for (int l = 0; l < n; l++) {
                w[l] = random(random, layers[l] * layers[l + 1]);
                grad[l] = new float[layers[l] * layers[l + 1]];
            }
        }

        /** Products: 3 per layer (forward, weight gradient, input gradient), the first layer's input gradient unused. */
        int count() {
            return 3 * (layers.length - 1);
        }

        String name(int c) {
            int l = c / 3;
            String shape = rows + "x" + layers[l] + "x" + layers[l + 1];
            return switch (c % 3) {
                case 0 -> "forward " + shape;
                case 1 -> "weight_gradient " + shape;
                default -> "input_gradient " + shape;
            };
        }

        /** Runs product {@code c} (or, for -1, every product of a step) for {@code seconds}; GFLOP/s. */
        double rate(int c, double seconds) {
            double flops = 0;
            long t0 = System.nanoTime();
            long end = t0 + (long) (seconds * 1e9);
            long now;
            do {
                for (int p = c < 0 ? 0 : c; p < (c < 0 ? count() : c + 1); p++) {
                    flops += run(p);
                }
                now = System.nanoTime();
            } while (now < end);
            return flops / (now - t0);
        }

        private double run(int c) {
            int l = c / 3;
            int in = layers[l];
            int out = layers[l + 1];
            switch (c % 3) {
                case 0 -> Blas.gemm(false, false, rows, out, in, 1f, x[l], 0, w[l], 0, 0f, x[l + 1], 0);
                case 1 -> Blas.gemm(true, false, in, out, rows, 1f, x[l], 0, dy[l + 1], 0, 0f, grad[l], 0);
                default -> {
                    if (l == 0) {
                        return 0;
                    }
                    Blas.gemm(false, true, rows, in, out, 1f, dy[l + 1], 0, w[l], 0, 0f, dy[l], 0);
                }
            }
            return 2.0 * rows * in * out;
        }

        private static float[] random(Random random, int n) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = random.nextFloat() - 0.5f;
            }
            return v;
        }
    }

    private static ObjectNode steps(SparkSession spark, String data, int[] layers, int batch, int partitions,
                                    int steps) throws Exception {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        IdxDataset set = IdxDataset.open(sc.hadoopConfiguration(), data, IdxDataset.TRAIN);
        JavaRDD<RowBlock> train = BlockLoader.load(sc, set, partitions, layers[layers.length - 1],
                StorageLevel.MEMORY_ONLY());
        train.count();
        Network net = new Network(layers, Activation.RELU, new SoftmaxCrossEntropy());
        float[] params = net.initParams(WeightInit.parse("auto"), 1);
        TrainConfig sgd = TrainConfig.builder().set(TrainOptions.OPTIMIZER, "sgd").set(TrainOptions.LR, 0.01)
                .set(TrainOptions.MOMENTUM, 0.0).set(TrainOptions.LOCAL_STEPS, 1).build();
        RoundEngine trainer = new RoundEngine(sc, net, sgd.optimizer(), null, 1, TrainConfig.OnDivergence.STOP, 1,
                sgd.rounds());
        int stepsPerEpoch = RoundPlan.stepsPerEpoch(set.count(), batch);
        double[] bare = new double[steps];
        double[] real = new double[steps];
        double[] compute = new double[steps];
        int n = net.numParams();
        for (int s = -WARMUP_STEPS; s < steps; s++) {
            long t0 = System.nanoTime();
            bareStep(sc, train, params, n, partitions);
            long t1 = System.nanoTime();
            RoundEngine.StepResult r = trainer.gradientStep(train, params, 1, Math.floorMod(s, stepsPerEpoch),
                    stepsPerEpoch);
            long t2 = System.nanoTime();
            if (s >= 0) {
                bare[s] = (t1 - t0) / 1e6;
                real[s] = (t2 - t1) / 1e6;
                compute[s] = r.computeNanos() / 1e6;
            }
        }
        train.unpersist(false);
        double[] overhead = new double[steps];
        for (int s = 0; s < steps; s++) {
            overhead[s] = real[s] - compute[s];
        }
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("layers", Arrays.toString(layers));
        o.put("batch", batch);
        o.put("partitions", partitions);
        o.put("steps", steps);
        o.put("bare_ms", median(bare));
        o.put("step_ms", median(real));
        o.put("compute_ms", median(compute));
        o.put("overhead_ms", median(overhead));
        o.put("overhead_vs_bare", median(overhead) / median(bare));
        return o;
    }

    /** A training step without the training: same RDD, broadcast, float results, merge and destroy. */
    private static void bareStep(JavaSparkContext sc, JavaRDD<RowBlock> train, float[] params, int n,
                                 int partitions) {
        Broadcast<PackedFloats> weights = sc.broadcast(new PackedFloats(params));
        try {
            Aggregation.sum(train.mapPartitionsWithIndex((p, it) -> {
                float[] w = weights.value().values();
                return List.of(new Partial(p, new PackedFloats(new float[w.length]), 1, 0, 0, 0, null)).iterator();
            }, false), partitions).total();
        } finally {
            weights.destroy();
        }
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
