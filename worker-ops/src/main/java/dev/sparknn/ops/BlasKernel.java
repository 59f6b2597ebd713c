package dev.sparknn.ops;

import java.io.IOException;
import java.io.Serializable;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The BLAS kernel one JVM computes with: what decides the rounding of its float32 products. Two JVMs with equal
 * kernels give bitwise equal products on equal inputs; another implementation, OpenBLAS version, core type (the
 * sgemm kernel OpenBLAS picked for the CPU, or was told to use by {@code OPENBLAS_CORETYPE}) or thread count may round
 * differently. Java's BLAS (no native library) is a kernel of its own: {@code VectorBLAS} and {@code Java11BLAS}
 * round differently from each other and from OpenBLAS.
 *
 * @param implementation  netlib's implementation class: {@code JNIBLAS} (native), {@code VectorBLAS}, {@code Java11BLAS}
 * @param library         native only: the OpenBLAS version ({@code OpenBLAS 0.3.21}), or {@code native BLAS} for
 *                        another native library; empty for Java's BLAS
 * @param coreType        OpenBLAS only: its core type ({@code Haswell}, {@code Zen}, ...) from
 *                        {@code openblas_get_corename}, else {@code OPENBLAS_CORETYPE}, else {@code ?}; empty otherwise
 * @param threads         OpenBLAS only: its thread count ({@code openblas_get_num_threads}, else
 *                        {@code OPENBLAS_NUM_THREADS}, else {@code ?}); empty otherwise
 */
public record BlasKernel(String implementation, String library, String coreType, String threads)
        implements Serializable {

    /** The environment variable that makes OpenBLAS use a core type's kernel instead of the one it detects. */
    public static final String CORETYPE_VARIABLE = "OPENBLAS_CORETYPE";
    private static final String THREADS_VARIABLE = "OPENBLAS_NUM_THREADS";
    private static final String UNKNOWN = "?";
    private static final Pattern OPENBLAS_FILE = Pattern.compile("libopenblas[^/]*\\.so[^/]*$");
    private static final Pattern VERSION = Pattern.compile("(\\d+\\.\\d+\\.\\d+)");

    /** This JVM's kernel, probed once. */
    private static volatile BlasKernel local;

    /** E.g. {@code JNIBLAS OpenBLAS 0.3.21 Haswell, 1 thread}, or {@code VectorBLAS}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(implementation);
        for (String part : new String[] {library, coreType}) {
            if (!part.isEmpty()) {
                s.append(' ').append(part);
            }
        }
        if (!threads.isEmpty()) {
            s.append(", ").append(threads).append(threads.equals("1") ? " thread" : " threads");
        }
        return s.toString();
    }

    /** Whether this is OpenBLAS. */
    public boolean isOpenBlas() {
        return library.startsWith("OpenBLAS");
    }

    /**
     * This JVM's kernel. OpenBLAS's own answers ({@code openblas_get_config}, {@code openblas_get_corename},
     * {@code openblas_get_num_threads}) need the JVM's foreign-function access (conf/jvm.properties:
     * {@code --add-modules=ALL-SYSTEM --enable-native-access=ALL-UNNAMED} on Java 17); without it, the version comes
     * from the library's file name and the core type and threads from the environment.
     */
    public static BlasKernel probe() {
        BlasKernel k = local;
        if (k == null) {
            k = probe(Blas.implementation(), loadedOpenBlas(), System.getenv(), NativeOpenBlas.connect());
            local = k;
        }
        return k;
    }

    /**
     * The kernel from what was found: netlib's implementation, the loaded OpenBLAS library (if any), the environment,
     * and OpenBLAS's own functions (if reachable). Separate from {@link #probe()} so that each case can be tested.
     */
    static BlasKernel probe(String implementation, Optional<Path> openBlas, Map<String, String> env,
                            Optional<NativeOpenBlas> calls) {
        if (!implementation.equals("JNIBLAS")) {
            return new BlasKernel(implementation, "", "", "");
        }
        if (openBlas.isEmpty()) {
            return new BlasKernel(implementation, "native BLAS", "", "");
        }
        Optional<NativeOpenBlas> openBlasCalls = calls.flatMap(c -> c.attach(openBlas.get()));
        if (openBlasCalls.isPresent()) {
            NativeOpenBlas c = openBlasCalls.get();
            return new BlasKernel(implementation, version(c.config(), openBlas.get()), c.coreName(),
                    Integer.toString(c.threads()));
        }
        return new BlasKernel(implementation, version("", openBlas.get()), env.getOrDefault(CORETYPE_VARIABLE, UNKNOWN),
                env.getOrDefault(THREADS_VARIABLE, UNKNOWN));
    }

    /** {@code OpenBLAS 0.3.21}: from openblas_get_config's first words, else from the library's file name. */
    private static String version(String config, Path file) {
        Matcher m = VERSION.matcher(config);
        if (!m.find()) {
            m = VERSION.matcher(file.getFileName().toString());
            if (!m.find()) {
                return "OpenBLAS";
            }
        }
        return "OpenBLAS " + m.group(1);
    }

    /** The OpenBLAS library mapped into this process (netlib's JNI library links it through libblas.so.3). */
    private static Optional<Path> loadedOpenBlas() {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .map(line -> line.substring(line.lastIndexOf(' ') + 1))
                    .filter(f -> OPENBLAS_FILE.matcher(f).find()).findFirst().map(Path::of);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();  // not Linux
        }
    }

    /**
     * OpenBLAS's C functions, called through the JVM's foreign-function API: {@code jdk.incubator.foreign} on Java 17,
     * {@code java.lang.foreign} from Java 22. Reflective, since the project compiles for Java 17 and runs on both.
     */
    interface NativeOpenBlas {
        /** The calls bound to the OpenBLAS library at {@code file}, or empty if its symbols cannot be bound. */
        Optional<NativeOpenBlas> attach(Path file);

        String config();

        String coreName();

        int threads();

        /** This JVM's foreign-function API; {@link #attach} tells whether it has one and may use it. */
        static Optional<NativeOpenBlas> connect() {
            return Optional.of(new Foreign());
        }
    }

    /** {@link NativeOpenBlas} through whichever foreign-function API this JVM has. */
    private static final class Foreign implements NativeOpenBlas {
        private MethodHandle config;
        private MethodHandle coreName;
        private MethodHandle threads;
        private MethodHandle toText;

        @Override
        public Optional<NativeOpenBlas> attach(Path file) {
            try {
                if (!bindFinal(file) && !bindIncubator(file)) {
                    return Optional.empty();
                }
                config();  // fail here, not later, if a call does not work
                return Optional.of(this);
            } catch (Throwable e) {  // no access (--enable-native-access), no module, no symbol: not reachable
                return Optional.empty();
            }
        }

        /** Java 22+: {@code java.lang.foreign}. */
        private boolean bindFinal(Path file) throws Throwable {
            Class<?> linkerClass;
            try {
                linkerClass = Class.forName("java.lang.foreign.Linker");
            } catch (ClassNotFoundException e) {
                return false;
            }
            Class<?> arena = Class.forName("java.lang.foreign.Arena");
            Class<?> lookupClass = Class.forName("java.lang.foreign.SymbolLookup");
            Class<?> layout = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> descriptor = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> option = Class.forName("java.lang.foreign.Linker$Option");
            Class<?> values = Class.forName("java.lang.foreign.ValueLayout");
            Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
            Object lookup = lookupClass.getMethod("libraryLookup", Path.class, arena)
                    .invoke(null, file, arena.getMethod("global").invoke(null));
            java.lang.reflect.Method find = lookupClass.getMethod("find", String.class);
            java.lang.reflect.Method downcall = linkerClass.getMethod("downcallHandle", segment, descriptor,
                    option.arrayType());
            java.lang.reflect.Method of = descriptor.getMethod("of", layout, layout.arrayType());
            Object noArgs = Array.newInstance(layout, 0);
            Object pointer = of.invoke(null, values.getField("ADDRESS").get(null), noArgs);
            Object integer = of.invoke(null, values.getField("JAVA_INT").get(null), noArgs);
            Object noOptions = Array.newInstance(option, 0);
            config = (MethodHandle) downcall.invoke(linker, symbol(find, lookup, "openblas_get_config"), pointer,
                    noOptions);
            coreName = (MethodHandle) downcall.invoke(linker, symbol(find, lookup, "openblas_get_corename"), pointer,
                    noOptions);
            threads = (MethodHandle) downcall.invoke(linker, symbol(find, lookup, "openblas_get_num_threads"), integer,
                    noOptions);
            // A returned C string is a zero-length segment: widen it, then read up to its NUL. Our own lookup, since
            // the restricted methods check their caller's native access.
            MethodHandle widen = java.lang.invoke.MethodHandles.lookup().findVirtual(segment, "reinterpret",
                    MethodType.methodType(segment, long.class));
            MethodHandle read = java.lang.invoke.MethodHandles.lookup().findVirtual(segment, "getString",
                    MethodType.methodType(String.class, long.class));
            toText = java.lang.invoke.MethodHandles.filterReturnValue(
                    java.lang.invoke.MethodHandles.insertArguments(widen, 1, 4096L),
                    java.lang.invoke.MethodHandles.insertArguments(read, 1, 0L));
            return true;
        }

        /** Java 17: {@code jdk.incubator.foreign} (needs {@code --add-modules} and {@code --enable-native-access}). */
        private boolean bindIncubator(Path file) throws Throwable {
            Class<?> linkerClass;
            try {
                linkerClass = Class.forName("jdk.incubator.foreign.CLinker");
            } catch (ClassNotFoundException e) {
                return false;
            }
            System.load(file.toString());  // the library already mapped: the same instance, now visible to the lookup
            Class<?> lookupClass = Class.forName("jdk.incubator.foreign.SymbolLookup");
            Class<?> layout = Class.forName("jdk.incubator.foreign.MemoryLayout");
            Class<?> descriptor = Class.forName("jdk.incubator.foreign.FunctionDescriptor");
            Class<?> address = Class.forName("jdk.incubator.foreign.MemoryAddress");
            Class<?> addressable = Class.forName("jdk.incubator.foreign.Addressable");
            Object linker = linkerClass.getMethod("getInstance").invoke(null);
            Object lookup = lookupClass.getMethod("loaderLookup").invoke(null);
            java.lang.reflect.Method find = lookupClass.getMethod("lookup", String.class);
            java.lang.reflect.Method downcall = linkerClass.getMethod("downcallHandle", addressable, MethodType.class,
                    descriptor);
            java.lang.reflect.Method of = descriptor.getMethod("of", layout, layout.arrayType());
            Object noArgs = Array.newInstance(layout, 0);
            Object pointer = of.invoke(null, linkerClass.getField("C_POINTER").get(null), noArgs);
            Object integer = of.invoke(null, linkerClass.getField("C_INT").get(null), noArgs);
            config = (MethodHandle) downcall.invoke(linker, symbol(find, lookup, "openblas_get_config"),
                    MethodType.methodType(address), pointer);
            coreName = (MethodHandle) downcall.invoke(linker, symbol(find, lookup, "openblas_get_corename"),
                    MethodType.methodType(address), pointer);
            threads = (MethodHandle) downcall.invoke(linker, symbol(find, lookup, "openblas_get_num_threads"),
                    MethodType.methodType(int.class), integer);
            // Our own lookup: the restricted toJavaString checks its caller's native access.
            toText = java.lang.invoke.MethodHandles.lookup().findStatic(linkerClass, "toJavaString",
                    MethodType.methodType(String.class, address));
            return true;
        }

        private static Object symbol(java.lang.reflect.Method find, Object lookup, String name) throws Exception {
            return ((Optional<?>) find.invoke(lookup, name)).orElseThrow(() -> new IllegalStateException(name));
        }

        @Override
        public String config() {
            return text(config);
        }

        @Override
        public String coreName() {
            return text(coreName);
        }

        @Override
        public int threads() {
            try {
                return (int) threads.invoke();
            } catch (Throwable e) {
                throw new IllegalStateException("openblas_get_num_threads", e);
            }
        }

        private String text(MethodHandle call) {
            try {
                return ((String) toText.invoke(call.invoke())).strip();
            } catch (Throwable e) {
                throw new IllegalStateException("an OpenBLAS call failed", e);
            }
        }
    }
}
