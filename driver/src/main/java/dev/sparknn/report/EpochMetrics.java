package dev.sparknn.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparknn.store.ModelFile;
import dev.sparknn.train.round.StepTimes;
import java.util.Locale;

/**
 * One epoch's results: a line of {@code metrics.jsonl} and a progress line on the console.
 *
 * @param testAccuracy     classification: share of test rows classified right; NaN for regression
 * @param trainRmse        regression: root mean squared error over the epoch's training steps; NaN otherwise
 * @param testRmse         regression: root mean squared error on the test rows; NaN otherwise
 * @param samplesPerSecond training samples per second of step time (evaluation excluded)
 * @param elapsedSeconds   wall time since the first training step (start-up and data loading excluded)
 * @param startupSeconds   wall time from process start to the first training step (JVM, Spark, data load)
 * @param skippedSteps     steps dropped so far for a non-finite loss or gradient ({@code --on-divergence skip})
 * @param lr               learning rate of the epoch's last update
 * @param trainSeconds     step time of every epoch so far in this process: the training clock, evaluations and
 *                         checkpoints excluded
 * @param heapAfterGcMb    this JVM's heap in use after its latest garbage collection, in MiB (see
 *                         {@link #heapAfterLastGcMb}; in local mode the executors share this JVM)
 * @param times            where the epoch's step time went (see {@link StepTimes})
 * @param weightsSha256    SHA-256 of the weights after the epoch (see {@link ModelFile#sha256}), to compare runs
 */
public record EpochMetrics(int epoch, int epochs, int steps, double trainLoss, double testLoss, double testAccuracy,
                           double trainRmse, double testRmse, double samplesPerSecond, double epochSeconds, double elapsedSeconds,
                           double startupSeconds, long skippedSteps, double lr, double trainSeconds, double heapAfterGcMb,
                           StepTimes times,
                           String weightsSha256) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("epoch", epoch);
        o.put("steps", steps);
        o.put("rounds", times.rounds());
        o.put("train_loss", trainLoss);
        o.put("test_loss", testLoss);
        if (isRegression()) {
            o.put("train_rmse", trainRmse);
            o.put("test_rmse", testRmse);
        } else {
            o.put("test_accuracy", testAccuracy);
        }
        o.put("samples_per_second", samplesPerSecond);
        o.put("epoch_seconds", epochSeconds);
        o.put("elapsed_seconds", elapsedSeconds);
        o.put("startup_seconds", startupSeconds);
        o.put("skipped_steps", skippedSteps);
        o.put("lr", lr);
        o.put("train_seconds", trainSeconds);
        o.put("heap_after_gc_mb", heapAfterGcMb);
        times.toJson(o.putObject("time_ms"));
        o.put("weights_sha256", weightsSha256);
        return o.toString();
    }

    /** E.g. {@code epoch  3/10  train loss 0.0812  test loss 0.0921  test acc 97.31%  41,230 samples/s  elapsed 12.4 s}. */
    public String progressLine() {
        int width = Integer.toString(epochs).length();
        String score = isRegression() ? String.format(Locale.ROOT, "train rmse %.4g  test rmse %.4g", trainRmse,
                testRmse) : String.format(Locale.ROOT, "test acc %.2f%%", 100 * testAccuracy);
        return String.format(Locale.ROOT, "epoch %" + width + "d/%d  train loss %.4f  test loss %.4f  %s  "
                        + "%,.0f samples/s  elapsed %.1f s", epoch, epochs, trainLoss, testLoss, score,
                samplesPerSecond, elapsedSeconds);
    }

    /**
     * Heap in use right after the JVM's most recent garbage collection, young or full, as a GC log reports it: live
     * data plus garbage already promoted but not yet collected. It saw-tooths; a leak shows as growth across epochs.
     */
    public static double heapAfterLastGcMb() {
        com.sun.management.GcInfo latest = null;
        for (java.lang.management.GarbageCollectorMXBean gc
                : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof com.sun.management.GarbageCollectorMXBean sun) {
                com.sun.management.GcInfo info = sun.getLastGcInfo();
                if (info != null && (latest == null || info.getEndTime() > latest.getEndTime())) {
                    latest = info;
                }
            }
        }
        if (latest == null) {
            return 0;
        }
        long bytes = 0;
        for (java.lang.management.MemoryPoolMXBean pool
                : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            java.lang.management.MemoryUsage after = latest.getMemoryUsageAfterGc().get(pool.getName());
            if (pool.getType() == java.lang.management.MemoryType.HEAP && after != null) {
                bytes += after.getUsed();
            }
        }
        return bytes / (1024.0 * 1024.0);
    }

    private boolean isRegression() {
        return Double.isNaN(testAccuracy);
    }
}
