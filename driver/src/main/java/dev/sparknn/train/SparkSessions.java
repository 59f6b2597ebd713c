package dev.sparknn.train;

import dev.sparknn.ops.BlasKernel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/** Creates the Spark session with the project's defaults (conf/spark-defaults.conf, packaged into the jar). */
public final class SparkSessions {

    /** Storage level of the cached training and test blocks. */
    static final String STORAGE_LEVEL_KEY = "spark.sparknn.storageLevel";

    /** Whether this process has started (or joined) a Spark session, and so its logging too. */
    private static volatile boolean used;

    private SparkSessions() {
    }

    /** Whether {@link #create} has been called in this process. */
    public static boolean used() {
        return used;
    }

    /**
     * A session on {@code master}, or on the master spark-submit chose when {@code master} is null. Settings
     * already present (from spark-submit or {@code -Dspark.*}) win over the packaged defaults. Local masters
     * bind the driver to 127.0.0.1.
     *
     * @param masterOption how the user set the master, for the error message if Spark cannot start
     */
    public static SparkSession create(String master, String masterOption) {
        used = true;
        SparkConf conf = new SparkConf();
        if (master != null) {
            conf.setMaster(master);
        }
        packagedDefaults().forEach((k, v) -> conf.setIfMissing((String) k, (String) v));
        conf.setIfMissing("spark.app.name", "sparknn");
        // Executors compute with the driver's BLAS kernel, unless told otherwise (BlasKernels checks it once running).
        BlasKernels.pinExecutors(conf, System.getenv(), BlasKernel::probe).ifPresent(coreType -> org.slf4j.LoggerFactory
                .getLogger(SparkSessions.class).info("executors get the driver's OpenBLAS core type: {}={}",
                        BlasKernels.EXECUTOR_CORETYPE, coreType));
        if (conf.get("spark.master", "").startsWith("local")) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        if (SparkSession.getDefaultSession().isEmpty()) {
            org.slf4j.LoggerFactory.getLogger(SparkSessions.class).info("starting Spark ({})",
                    conf.get("spark.master", "master from spark-submit"));
        }
        try {
            return SparkSession.builder().config(conf).getOrCreate();
        } catch (Exception e) {
            // Nearly always the master: a bad URL, an unreachable cluster, or a local[N] typo. (Scala throws the
            // checked SparkException, "Could not parse Master URL", undeclared: hence Exception.)
            throw new TrainConfig.ConfigException("Spark could not start with " + masterOption + " "
                    + conf.get("spark.master", "(unset)") + ": " + describe(e));
        }
    }

    /**
     * The exception's message, or its class and its causes' messages where it has none (YARN's client throws some
     * without a message), on one line.
     */
    static String describe(Throwable e) {
        if (e.getMessage() != null) {
            return e.getMessage().replaceAll("\\s*\\R\\s*", " ");
        }
        StringBuilder s = new StringBuilder(e.getClass().getName());
        for (Throwable c = e.getCause(); c != null && c != c.getCause() && s.length() < 400; c = c.getCause()) {
            s.append("; caused by ").append(c.getClass().getSimpleName());
            if (c.getMessage() != null) {
                s.append(": ").append(c.getMessage());
            }
        }
        return s.toString().replaceAll("\\s*\\R\\s*", " ");
    }

    /** Work done on a Spark session. */
    @FunctionalInterface
    public interface Work<T> {
        T run(SparkSession spark) throws Exception;
    }

    /**
     * Runs {@code work} on a session from {@link #create}; stops the session afterwards only if this call started
     * it, so that an application's (or a test JVM's) own session keeps running.
     */
    public static <T> T run(String master, Work<T> work) throws Exception {
        boolean ownSession = SparkSession.getDefaultSession().isEmpty();
        SparkSession session = create(master, "--master");
        try {
            return work.run(session);
        } finally {
            if (ownSession) {
                session.stop();
            }
        }
    }

    /** The storage level configured under {@value #STORAGE_LEVEL_KEY}. */
    public static StorageLevel storageLevel(SparkConf conf) {
        String name = conf.get(STORAGE_LEVEL_KEY, "MEMORY_AND_DISK");
        try {
            return StorageLevel.fromString(name);
        } catch (IllegalArgumentException e) {
            throw new TrainConfig.ConfigException(STORAGE_LEVEL_KEY + " '" + name + "' is not a Spark storage level "
                    + "(e.g. MEMORY_ONLY, MEMORY_AND_DISK, DISK_ONLY)");
        }
    }

    private static Properties packagedDefaults() {
        Properties p = new Properties();
        try (InputStream in = SparkSessions.class.getResourceAsStream("/dev/sparknn/conf/spark-defaults.conf")) {
            if (in == null) {
                throw new IllegalStateException("spark-defaults.conf is missing from the driver jar");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
