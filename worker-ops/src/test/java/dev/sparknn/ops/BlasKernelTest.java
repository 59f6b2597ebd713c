package dev.sparknn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BlasKernelTest {

    private static final Path OPENBLAS = Path.of("/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so");

    /** OpenBLAS's answers, as a library built for Zen with 2 threads would give them. */
    private static final BlasKernel.NativeOpenBlas ZEN = new BlasKernel.NativeOpenBlas() {
        @Override
        public Optional<BlasKernel.NativeOpenBlas> attach(Path file) {
            return Optional.of(this);
        }

        @Override
        public String config() {
            return "OpenBLAS 0.3.26 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64";
        }

        @Override
        public String coreName() {
            return "Zen";
        }

        @Override
        public int threads() {
            return 2;
        }
    };

    /** A JVM without foreign-function access: nothing can be bound. */
    private static final BlasKernel.NativeOpenBlas UNREACHABLE = new BlasKernel.NativeOpenBlas() {
        @Override
        public Optional<BlasKernel.NativeOpenBlas> attach(Path file) {
            return Optional.empty();
        }

        @Override
        public String config() {
            throw new AssertionError();
        }

        @Override
        public String coreName() {
            throw new AssertionError();
        }

        @Override
        public int threads() {
            throw new AssertionError();
        }
    };

    @Test
    void openBlasAnswersWinOverTheEnvironment() {
        BlasKernel k = BlasKernel.probe("JNIBLAS", Optional.of(OPENBLAS), Map.of("OPENBLAS_CORETYPE", "Haswell",
                "OPENBLAS_NUM_THREADS", "1"), Optional.of(ZEN));
        assertEquals(new BlasKernel("JNIBLAS", "OpenBLAS 0.3.26", "Zen", "2"), k);
        assertEquals("JNIBLAS OpenBLAS 0.3.26 Zen, 2 threads", k.toString());
        assertTrue(k.isOpenBlas());
    }

    @Test
    void withoutForeignAccessTheEnvironmentAndFileNameTell() {
        BlasKernel k = BlasKernel.probe("JNIBLAS", Optional.of(OPENBLAS), Map.of("OPENBLAS_CORETYPE", "Haswell",
                "OPENBLAS_NUM_THREADS", "1"), Optional.of(UNREACHABLE));
        assertEquals("JNIBLAS OpenBLAS 0.3.21 Haswell, 1 thread", k.toString());
        // Nothing set: unknown, which equals no known kernel.
        BlasKernel unknown = BlasKernel.probe("JNIBLAS", Optional.of(OPENBLAS), Map.of(), Optional.of(UNREACHABLE));
        assertEquals("JNIBLAS OpenBLAS 0.3.21 ?, ? threads", unknown.toString());
        assertNotEquals(k, unknown);
    }

    @Test
    void javaBlasIsAKernelOfItsOwn() {
        BlasKernel vector = BlasKernel.probe("VectorBLAS", Optional.empty(), Map.of("OPENBLAS_CORETYPE", "Haswell"),
                Optional.of(ZEN));
        assertEquals("VectorBLAS", vector.toString());
        assertNotEquals(vector, BlasKernel.probe("Java11BLAS", Optional.empty(), Map.of(), Optional.of(ZEN)));
        assertTrue(!vector.isOpenBlas());
        assertEquals("JNIBLAS native BLAS", BlasKernel.probe("JNIBLAS", Optional.empty(), Map.of(),
                Optional.of(ZEN)).toString());
    }

    /**
     * This JVM, with the project's flags (conf/jvm.properties): where native OpenBLAS runs, OpenBLAS itself names its
     * kernel, and the one OPENBLAS_CORETYPE asks for when that is set.
     */
    @Test
    void thisJvmAsksOpenBlasItself() {
        BlasKernel k = BlasKernel.probe();
        System.out.println("this JVM's BLAS kernel: " + k);
        assumeTrue(k.isOpenBlas(), "no native OpenBLAS here: " + k);
        assertNotEquals("?", k.coreType(), k.toString());
        assertTrue(k.threads().matches("[0-9]+"), k.toString());
        String asked = System.getenv("OPENBLAS_CORETYPE");
        if (asked != null) {
            assertEquals(asked.toLowerCase(java.util.Locale.ROOT), k.coreType().toLowerCase(java.util.Locale.ROOT));
        }
    }
}
