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
 * </ul>
 * Usage: {@code StepBenchmark MNIST_DIR LAYERS BATCH PARTITIONS STEPS}.
 */
public final class StepBenchmark {

    private static final int GEMM_SIZE = 1024;
    private static final int GEMM_REPS = 8;
    private static final int WARMUP_STEPS = 10;

    private StepBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String data = args[0];
        int[] layers = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        int batch = Integer.parseInt(args[2]);
        int partitions = Integer.parseInt(args[3]);
        int steps = Integer.parseInt(args[4]);
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("blas", Blas.implementation());
        ObjectNode gemm = out.putObject("sgemm");
        gemm.put("size", GEMM_SIZE);
        gemm.put("gflops_1_thread", sgemmGflops(1));
        gemm.put("gflops_all_cores", sgemmGflops(Runtime.getRuntime().availableProcessors()));
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
        Broadcast<float[]> weights = sc.broadcast(params);
        try {
            Aggregation.sum(train.mapPartitionsWithIndex((p, it) -> {
                float[] w = weights.value();
                return List.of(new Partial(p, new float[w.length], 1, 0, 0, 0, null)).iterator();
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
