package dev.sparknn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.ops.BlasKernel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** Pinning the executors' kernel, and the summary and warning of a run's kernels; no Spark runs. */
class BlasKernelsTest {

    private static final BlasKernel HASWELL = new BlasKernel("JNIBLAS", "OpenBLAS 0.3.21", "Haswell", "1");
    private static final BlasKernel COOPERLAKE = new BlasKernel("JNIBLAS", "OpenBLAS 0.3.21", "Cooperlake", "1");
    private static final BlasKernel VECTOR = new BlasKernel("VectorBLAS", "", "", "");
    private static final Supplier<BlasKernel> NOT_PROBED = () -> {
        throw new AssertionError("the driver's kernel is not needed when the environment names one");
    };

    private static SparkConf conf(String master) {
        return new SparkConf(false).setMaster(master);
    }

    @Test
    void executorsGetTheDriversCoreTypeFromItsEnvironment() {
        SparkConf yarn = conf("yarn");
        assertEquals(Optional.of("Haswell"), BlasKernels.pinExecutors(yarn, Map.of("OPENBLAS_CORETYPE", "Haswell"),
                NOT_PROBED));
        assertEquals("Haswell", yarn.get(BlasKernels.EXECUTOR_CORETYPE));
    }

    @Test
    void withoutTheVariableExecutorsGetTheCoreTypeTheDriversOpenBlasDetected() {
        SparkConf cluster = conf("spark://127.0.0.1:7077");
        assertEquals(Optional.of("Cooperlake"), BlasKernels.pinExecutors(cluster, Map.of(), () -> COOPERLAKE));
        assertEquals("Cooperlake", cluster.get(BlasKernels.EXECUTOR_CORETYPE));
        // Java's BLAS, or an OpenBLAS that could not say: nothing to pin.
        SparkConf java = conf("yarn");
        assertEquals(Optional.empty(), BlasKernels.pinExecutors(java, Map.of(), () -> VECTOR));
        assertEquals(Optional.empty(), BlasKernels.pinExecutors(java, Map.of(), () -> new BlasKernel("JNIBLAS",
                "OpenBLAS 0.3.21", "?", "?")));
        assertFalse(java.contains(BlasKernels.EXECUTOR_CORETYPE));
    }

    @Test
    void theUsersSettingAndLocalMastersAreLeftAlone() {
        SparkConf own = conf("yarn").set(BlasKernels.EXECUTOR_CORETYPE, "Zen");
        assertEquals(Optional.empty(), BlasKernels.pinExecutors(own, Map.of("OPENBLAS_CORETYPE", "Haswell"),
                NOT_PROBED));
        assertEquals("Zen", own.get(BlasKernels.EXECUTOR_CORETYPE));
        for (String master : new String[] {"local", "local[2]", "local[*]"}) {
            SparkConf local = conf(master);
            assertEquals(Optional.empty(), BlasKernels.pinExecutors(local, Map.of("OPENBLAS_CORETYPE", "Haswell"),
                    NOT_PROBED));
            assertFalse(local.contains(BlasKernels.EXECUTOR_CORETYPE), master);
        }
        // local-cluster executors are JVMs of their own.
        SparkConf localCluster = conf("local-cluster[2,1,1024]");
        assertEquals(Optional.of("Haswell"), BlasKernels.pinExecutors(localCluster,
                Map.of("OPENBLAS_CORETYPE", "Haswell"), NOT_PROBED));
    }

    @Test
    void equalKernelsGiveOneSummaryAndNoWarning() {
        BlasKernels local = new BlasKernels(HASWELL, Map.of("driver", HASWELL));
        assertEquals("JNIBLAS OpenBLAS 0.3.21 Haswell, 1 thread", local.summary());
        assertEquals(Optional.empty(), local.warning());
        assertEquals(Map.of("driver", HASWELL.toString()), local.asMap());

        BlasKernels cluster = new BlasKernels(HASWELL, Map.of("10", HASWELL, "2", HASWELL));
        assertEquals("JNIBLAS OpenBLAS 0.3.21 Haswell, 1 thread (driver and executors 2, 10)", cluster.summary());
        assertEquals(Optional.empty(), cluster.warning());
    }

    @Test
    void theWarningNamesEachExecutorAndKernelThatDiffersFromTheDrivers() {
        Map<String, BlasKernel> executors = new LinkedHashMap<>();
        executors.put("2", COOPERLAKE);
        executors.put("1", COOPERLAKE);
        executors.put("3", HASWELL);
        BlasKernels run = new BlasKernels(HASWELL, executors);
        String warning = run.warning().orElseThrow();
        assertEquals("BLAS kernels differ: the driver has JNIBLAS OpenBLAS 0.3.21 Haswell, 1 thread, but executors "
                + "1, 2 compute with JNIBLAS OpenBLAS 0.3.21 Cooperlake, 1 thread: the weights will differ from those "
                + "of other masters (local[N] on this machine, other clusters). Give every node the same OpenBLAS and "
                + "OPENBLAS_CORETYPE (spark.executorEnv.OPENBLAS_CORETYPE), or the same Java BLAS", warning);
        assertFalse(warning.contains("\n"));
        assertEquals("driver: JNIBLAS OpenBLAS 0.3.21 Haswell, 1 thread; executors 1, 2: JNIBLAS OpenBLAS 0.3.21 "
                + "Cooperlake, 1 thread; executor 3: JNIBLAS OpenBLAS 0.3.21 Haswell, 1 thread", run.summary());
    }

    @Test
    void javaBlasIsAKernelToo() {
        String warning = new BlasKernels(HASWELL, Map.of("1", VECTOR)).warning().orElseThrow();
        assertTrue(warning.contains("executor 1 compute with VectorBLAS: the weights will differ"), warning);
        // Executors that agree with each other but not with the driver still give other weights than local[N].
        assertTrue(new BlasKernels(VECTOR, Map.of("1", HASWELL, "2", HASWELL)).warning().isPresent());
    }
}
