package bench;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Spark MLlib contender: MultilayerPerceptronClassifier (L-BFGS, its default solver) on MNIST.
 *
 * <p>MLlib reports no accuracy while it trains, so the model is fitted afresh for each maxIter of
 * --max-iters (20,40,... by default); from the same seed, L-BFGS follows the same path, so a fit with
 * maxIter=k is the first k iterations of a longer one. Time to target = the fit time of the first maxIter
 * whose test accuracy reaches --target; its granularity is the step between the maxIter values. Fit times
 * cover MLlib's fit() only; JVM start, Spark start, data load and evaluation are reported apart.
 *
 * <p>Options (all {@code --name value}): --data DIR (data/mnist), --layers (784,100,10), --max-iters
 * (20,40,60,80,100), --target (0.97), --master (local[2]), --partitions (2), --block-size (128, MLlib's
 * default), --seed (1), --stop-at-target (true: skip the maxIters after the first that reaches the target),
 * --warmup-fit (true: one maxIter=1 fit first, timed apart, so that JIT warm-up and first-run costs fall
 * on no row).
 * Logs go to stderr; the last line on stdout is one JSON object.
 */
public final class MllibMlp {

  public static void main(String[] args) throws Exception {
    long mainStart = System.nanoTime();
    double jvmStartToMainS =
        (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1e3;
    Map<String, String> o = options(args);
    String dataDir = o.getOrDefault("data", "data/mnist");
    int[] layers = ints(o.getOrDefault("layers", "784,100,10"));
    int[] maxIters = ints(o.getOrDefault("max-iters", "20,40,60,80,100"));
    double target = Double.parseDouble(o.getOrDefault("target", "0.97"));
    String master = o.getOrDefault("master", "local[2]");
    int partitions = Integer.parseInt(o.getOrDefault("partitions", "2"));
    int blockSize = Integer.parseInt(o.getOrDefault("block-size", "128"));
    long seed = Long.parseLong(o.getOrDefault("seed", "1"));
    boolean stopAtTarget = Boolean.parseBoolean(o.getOrDefault("stop-at-target", "true"));
    boolean warmupFit = Boolean.parseBoolean(o.getOrDefault("warmup-fit", "true"));
    // Other work on the machine skews the timings: compare a fit's cpu_s with 2 x fit_s under local[2].
    double loadAvgAtStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

    SparkSession spark = SparkSession.builder()
        .master(master)
        .appName("mllib-mlp-bench")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate();
    double sparkStartS = (System.nanoTime() - mainStart) / 1e9;

    // The BLAS dev.ludovic.netlib chose; MLlib's ANN runs its gemm on the native one when it loads.
    String blas = BLAS.getInstance().getClass().getSimpleName();
    String nativeBlas;
    try {
      nativeBlas = NativeBLAS.getInstance().getClass().getSimpleName();
    } catch (Throwable t) {
      nativeBlas = "none (" + t.getClass().getSimpleName() + ")";
    }
    log("Spark %s, master %s, BLAS.getInstance()=%s, NativeBLAS=%s, OPENBLAS_NUM_THREADS=%s",
        spark.version(), master, blas, nativeBlas, System.getenv("OPENBLAS_NUM_THREADS"));

    long t0 = System.nanoTime();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Dataset<Row> train = mnist(spark, jsc, dataDir, "train", partitions).cache();
    Dataset<Row> test = mnist(spark, jsc, dataDir, "t10k", partitions).cache();
    long nTrain = train.count();
    long nTest = test.count();
    double dataLoadS = (System.nanoTime() - t0) / 1e9;
    log("loaded %d training and %d test images from %s in %.2f s", nTrain, nTest, dataDir, dataLoadS);

    double warmupFitS = Double.NaN;
    if (warmupFit) { // one untimed-for-the-target fit, so that no row pays for the JIT and first-run costs
      long w0 = System.nanoTime();
      classifier(layers, 1, blockSize, seed).fit(train);
      warmupFitS = (System.nanoTime() - w0) / 1e9;
      log("warm-up fit (maxIter 1): %.2f s", warmupFitS);
    }

    MulticlassClassificationEvaluator evaluator =
        new MulticlassClassificationEvaluator().setMetricName("accuracy");
    List<Map<String, Object>> rows = new ArrayList<>();
    Double timeToTarget = null;
    Integer maxIterToTarget = null;
    double finalAcc = Double.NaN;
    double prevFitS = 0;
    int prevIterations = 0;
    for (int maxIter : maxIters) {
      MultilayerPerceptronClassifier mlp = classifier(layers, maxIter, blockSize, seed);
      long f0 = System.nanoTime();
      long c0 = processCpuNanos();
      MultilayerPerceptronClassificationModel model = mlp.fit(train);
      double fitS = (System.nanoTime() - f0) / 1e9;
      double cpuS = (processCpuNanos() - c0) / 1e9;
      int iterations = model.summary().totalIterations();

      long e0 = System.nanoTime();
      double acc = evaluator.evaluate(model.transform(test));
      double evalS = (System.nanoTime() - e0) / 1e9;
      finalAcc = acc;
      log("maxIter %d: %d iterations, fit %.2f s (cpu %.2f s, %.3f s/iteration), test accuracy %.4f "
          + "(eval %.2f s)", maxIter, iterations, fitS, cpuS, fitS / iterations, acc, evalS);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("max_iter", maxIter);
      row.put("iterations", iterations);
      row.put("fit_s", round(fitS, 3));
      row.put("cpu_s", round(cpuS, 3));
      row.put("s_per_iteration", round(fitS / iterations, 4));
      // Each fit also pays a fixed cost (stacking rows into blocks, caching them): the marginal cost of an
      // iteration is the difference from the previous row.
      if (!rows.isEmpty()) {
        row.put("marginal_s_per_iteration", round((fitS - prevFitS) / (iterations - prevIterations), 4));
      }
      prevFitS = fitS;
      prevIterations = iterations;
      row.put("test_acc", round(acc, 4));
      row.put("eval_s", round(evalS, 3));
      rows.add(row);
      if (acc >= target && timeToTarget == null) {
        timeToTarget = fitS;
        maxIterToTarget = maxIter;
        if (stopAtTarget) {
          break;
        }
      }
    }
    spark.stop();

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("program", "mllib_mlp");
    out.put("spark", spark.version());
    out.put("java", System.getProperty("java.version"));
    out.put("master", master);
    out.put("partitions", partitions);
    out.put("blas", blas);
    out.put("native_blas", nativeBlas);
    out.put("openblas_num_threads", System.getenv("OPENBLAS_NUM_THREADS"));
    out.put("layers", o.getOrDefault("layers", "784,100,10"));
    out.put("solver", "l-bfgs");
    out.put("block_size", blockSize);
    out.put("seed", seed);
    out.put("target", target);
    out.put("load_avg_1m_at_start", round(loadAvgAtStart, 2));
    out.put("jvm_start_to_main_s", round(jvmStartToMainS, 3));
    out.put("spark_start_s", round(sparkStartS, 3));
    out.put("data_load_s", round(dataLoadS, 3));
    out.put("warmup_fit_s", warmupFit ? round(warmupFitS, 3) : null);
    out.put("reached", timeToTarget != null);
    out.put("time_to_target_s", timeToTarget == null ? null : round(timeToTarget, 3));
    out.put("max_iter_to_target", maxIterToTarget);
    out.put("max_iters", Arrays.stream(maxIters).boxed().toList());
    out.put("granularity", "a fresh fit per max_iter; time to target = fit_s of the first reaching it");
    out.put("final_test_acc", round(finalAcc, 4));
    out.put("peak_rss_mib", round(peakRssMib(), 1));
    out.put("rows", rows);
    String json = json(out);
    System.out.println(json);
  }

  /**
   * One MNIST split ("train" or "t10k") as (label, features), pixels value/255, in n partitions. Each
   * partition reads its own slice of the IDX files (a local path, or one every executor sees), so no task
   * carries the data and the cached partitions are the only copy.
   */
  static Dataset<Row> mnist(SparkSession spark, JavaSparkContext jsc, String dir, String split, int n)
      throws IOException {
    String images = Path.of(dir, split + "-images-idx3-ubyte").toAbsolutePath().toString();
    String labels = Path.of(dir, split + "-labels-idx1-ubyte").toAbsolutePath().toString();
    int count = header(images, 0x803, 16).getInt(4);
    List<int[]> slices = new ArrayList<>();
    for (int p = 0; p < n; p++) {
      slices.add(new int[] {(int) ((long) count * p / n), (int) ((long) count * (p + 1) / n)});
    }
    JavaRDD<Row> rows = jsc.parallelize(slices, n).flatMap(s -> rows(images, labels, s[0], s[1]).iterator());
    StructType schema = new StructType()
        .add("label", DataTypes.DoubleType, false)
        .add("features", SQLDataTypes.VectorType(), false);
    return spark.createDataFrame(rows, schema);
  }

  /** Images [from, to) of an IDX pair as rows. */
  static List<Row> rows(String images, String labels, int from, int to) throws IOException {
    ByteBuffer h = header(images, 0x803, 16);
    int pixels = h.getInt(8) * h.getInt(12);
    ByteBuffer x = read(images, 16 + (long) from * pixels, (to - from) * pixels);
    ByteBuffer y = read(labels, 8 + from, to - from);
    header(labels, 0x801, 8);
    List<Row> rows = new ArrayList<>(to - from);
    for (int i = 0; i < to - from; i++) {
      double[] v = new double[pixels];
      for (int j = 0; j < pixels; j++) {
        v[j] = (x.get(i * pixels + j) & 0xff) / 255.0;
      }
      rows.add(RowFactory.create((double) (y.get(i) & 0xff), Vectors.dense(v)));
    }
    return rows;
  }

  /** The first bytes of an IDX file, after checking its magic number (IDX is big-endian, as ByteBuffer). */
  static ByteBuffer header(String file, int magic, int bytes) throws IOException {
    ByteBuffer b = read(file, 0, bytes);
    if (b.getInt(0) != magic) {
      throw new IOException(file + ": IDX magic " + Integer.toHexString(b.getInt(0)) + ", expected "
          + Integer.toHexString(magic));
    }
    return b;
  }

  static ByteBuffer read(String file, long offset, int bytes) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(bytes);
    try (FileChannel ch = FileChannel.open(Path.of(file))) {
      while (b.hasRemaining()) {
        if (ch.read(b, offset + b.position()) < 0) {
          throw new IOException(file + ": truncated");
        }
      }
    }
    return b.flip();
  }

  static MultilayerPerceptronClassifier classifier(int[] layers, int maxIter, int blockSize, long seed) {
    return new MultilayerPerceptronClassifier()
        .setLayers(layers).setSolver("l-bfgs").setMaxIter(maxIter).setBlockSize(blockSize).setSeed(seed);
  }

  /** CPU time of all this JVM's threads (Spark's task threads included). */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Peak resident set size of this JVM (VmHWM), or NaN where /proc is absent. */
  static double peakRssMib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return Double.NaN;
  }

  static final List<String> OPTIONS = List.of("data", "layers", "max-iters", "target", "master",
      "partitions", "block-size", "seed", "stop-at-target", "warmup-fit");

  /** {@code --name value} pairs; a later value of the same name wins. */
  static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      String name = args[i].startsWith("--") ? args[i].substring(2) : "";
      if (!OPTIONS.contains(name) || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "expected --name value pairs with a name among " + OPTIONS + ", got: " + Arrays.toString(args));
      }
      o.put(name, args[i + 1]);
    }
    return o;
  }

  static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
  }

  /** x rounded to the given decimals, or null (JSON has no NaN) when x is not finite. */
  static Double round(double x, int digits) {
    double scale = Math.pow(10, digits);
    return Double.isFinite(x) ? Math.round(x * scale) / scale : null;
  }

  /** JSON text of a String, Number, Boolean, null, Map or List (all this program prints). */
  static String json(Object v) {
    if (v == null || v instanceof Number || v instanceof Boolean) {
      return String.valueOf(v);
    }
    if (v instanceof Map<?, ?> m) {
      List<String> fields = new ArrayList<>();
      m.forEach((k, x) -> fields.add(json(k) + ": " + json(x)));
      return "{" + String.join(", ", fields) + "}";
    }
    if (v instanceof List<?> l) {
      return "[" + String.join(", ", l.stream().map(MllibMlp::json).toList()) + "]";
    }
    return "\"" + v.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  static void log(String format, Object... args) {
    System.err.println(String.format(Locale.ROOT, format, args));
  }
}
