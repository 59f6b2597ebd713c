package dev.sparknn.train;

import dev.sparknn.ops.BlasKernel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * The BLAS kernels of a run, part of its identity: another kernel rounds float32 products differently, so it gives
 * other weights. By default the executors get the driver's OpenBLAS kernel ({@link #pinExecutors}, before Spark
 * starts); once the training blocks are cached, every executor that holds one reports its kernel
 * ({@link #survey}), and where they differ from the driver's, {@link #warning} says so in one line.
 *
 * <p>The driver's kernel stands for what {@code local[N]} on the driver's machine computes with; in local mode the
 * driver's JVM is the only one.
 */
public final class BlasKernels {

    /** Spark's setting for an executor's {@code OPENBLAS_CORETYPE} (standalone, YARN and Kubernetes alike). */
    public static final String EXECUTOR_CORETYPE = "spark.executorEnv." + BlasKernel.CORETYPE_VARIABLE;

    private static final String DRIVER = "driver";

    /** Numeric executor ids in numeric order (2 before 10), others after them by name. */
    private static final Comparator<String> BY_EXECUTOR_ID = Comparator
            .comparing((String id) -> !id.matches("[0-9]{1,9}"))
            .thenComparing(id -> id.matches("[0-9]{1,9}") ? Integer.parseInt(id) : 0)
            .thenComparing(Comparator.naturalOrder());

    private final BlasKernel driver;
    /** Executor id to kernel, in executor order; empty in local mode. */
    private final Map<String, BlasKernel> executors;

    public BlasKernels(BlasKernel driver, Map<String, BlasKernel> executors) {
        this.driver = driver;
        TreeMap<String, BlasKernel> sorted = new TreeMap<>(BY_EXECUTOR_ID);
        sorted.putAll(executors);
        sorted.remove(DRIVER);
        this.executors = Collections.unmodifiableMap(sorted);
    }

    /**
     * Sets {@value #EXECUTOR_CORETYPE} in {@code conf}, before the SparkContext starts, so that executors compute
     * with the driver's kernel: the driver's {@code OPENBLAS_CORETYPE} if it has one, else the core type the driver's
     * OpenBLAS detected. A value already in {@code conf} (the user's, or spark-submit's) is left alone, as are local
     * masters, whose executors run in the driver's JVM.
     *
     * @param driver the driver's kernel, probed only when the environment does not name one
     * @return the core type set, if any
     */
    public static Optional<String> pinExecutors(SparkConf conf, Map<String, String> env, Supplier<BlasKernel> driver) {
        String master = conf.get("spark.master", "");
        if (conf.contains(EXECUTOR_CORETYPE) || master.equals("local") || master.startsWith("local[")) {
            return Optional.empty();
        }
        String coreType = env.getOrDefault(BlasKernel.CORETYPE_VARIABLE, "").strip();
        if (coreType.isEmpty()) {
            BlasKernel k = driver.get();
            if (!k.isOpenBlas() || k.coreType().equals("?")) {
                return Optional.empty();
            }
            coreType = k.coreType();
        }
        conf.set(EXECUTOR_CORETYPE, coreType);
        return Optional.of(coreType);
    }

    /**
     * The kernels of this driver and of every executor that holds a partition of {@code blocks} (a cached RDD, so
     * that its tasks run where the training runs): one small Spark job.
     */
    public static BlasKernels survey(JavaRDD<?> blocks) {
        List<Tuple2<String, BlasKernel>> found = blocks.mapPartitions(rows -> List.of(
                new Tuple2<>(SparkEnv.get().executorId(), BlasKernel.probe())).iterator()).collect();
        Map<String, BlasKernel> executors = new LinkedHashMap<>();
        found.forEach(t -> executors.put(t._1(), t._2()));
        return new BlasKernels(BlasKernel.probe(), executors);
    }

    public BlasKernel driver() {
        return driver;
    }

    /** Executor id to kernel; empty in local mode. */
    public Map<String, BlasKernel> executors() {
        return executors;
    }

    /**
     * One line: the kernel, and where it runs when there is more than the driver, e.g.
     * {@code JNIBLAS OpenBLAS 0.3.21 Haswell, 1 thread (driver and executors 1, 2)}, or each group's kernel.
     */
    public String summary() {
        if (executors.isEmpty()) {
            return driver.toString();
        }
        Map<BlasKernel, List<String>> groups = executorsByKernel();
        if (groups.size() == 1 && groups.containsKey(driver)) {
            return driver + " (driver and " + executorList(groups.get(driver)) + ")";
        }
        StringBuilder s = new StringBuilder("driver: " + driver);
        groups.forEach((k, ids) -> s.append("; ").append(executorList(ids)).append(": ").append(k));
        return s.toString();
    }

    /**
     * The warning when the kernels differ, naming the executors and kernels: the weights will differ from those of
     * other masters (such as {@code local[N]} on the driver's machine).
     */
    public Optional<String> warning() {
        Map<BlasKernel, List<String>> groups = executorsByKernel();
        if (groups.isEmpty() || (groups.size() == 1 && groups.containsKey(driver))) {
            return Optional.empty();
        }
        List<String> others = new ArrayList<>();
        groups.forEach((k, ids) -> {
            if (!k.equals(driver)) {
                others.add(executorList(ids) + " compute with " + k);
            }
        });
        return Optional.of("BLAS kernels differ: the driver has " + driver + ", but " + String.join("; ", others)
                + ": the weights will differ from those of other masters (local[N] on this machine, other clusters). "
                + "Give every node the same OpenBLAS and " + BlasKernel.CORETYPE_VARIABLE + " (" + EXECUTOR_CORETYPE
                + "), or the same Java BLAS");
    }

    /** {@code driver} and each executor's kernel, for config.json. */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(DRIVER, driver.toString());
        executors.forEach((id, k) -> m.put(id, k.toString()));
        return m;
    }

    private Map<BlasKernel, List<String>> executorsByKernel() {
        Map<BlasKernel, List<String>> groups = new LinkedHashMap<>();
        executors.forEach((id, k) -> groups.computeIfAbsent(k, x -> new ArrayList<>()).add(id));
        return groups;
    }

    private static String executorList(List<String> ids) {
        return (ids.size() == 1 ? "executor " : "executors ") + String.join(", ", ids);
    }
}
