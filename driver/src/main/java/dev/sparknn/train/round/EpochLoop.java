package dev.sparknn.train.round;

import dev.sparknn.ops.RowBlock;
import java.io.IOException;
import org.apache.spark.api.java.JavaRDD;

/**
 * The epochs of a training run, the one loop that the command line ({@code run.TrainingRun}) and the Spark ML
 * estimators ({@code ml.Training}) both run. What differs between them is a parameter: the engine (its chunks and
 * rounds), the data (cached at the storage level the caller chose) and the {@link Listener}, which reports progress,
 * evaluates and writes checkpoints.
 *
 * <p>Call order for each epoch from {@code firstEpoch} to {@code epochs}: {@link Listener#startEpoch}, then
 * {@link Epoch#afterRound} after every round, then {@link Epoch#close}, then {@link Epoch#end}. The run ends after
 * the last epoch, or after the epoch whose {@code afterRound} or {@code end} returned true.
 */
public final class EpochLoop {

    private EpochLoop() {
    }

    /** Starts each epoch. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param steps    the epoch's steps
         * @param progress where the epoch starts: its first step, or where a checkpoint left it
         * @return what hears the epoch's rounds and its end
         */
        Epoch startEpoch(int epoch, int steps, EpochProgress progress) throws IOException;
    }

    /** One epoch as its listener sees it. */
    @FunctionalInterface
    public interface Epoch extends RoundEngine.RoundHook, AutoCloseable {
        /** Called after every round; by default does nothing and lets the epoch run on. */
        @Override
        default boolean afterRound(int epoch, int steps, EpochProgress progress) throws IOException {
            return false;
        }

        /** Called once the epoch's rounds are over (or failed), before {@link #end}; releases what the epoch held. */
        @Override
        default void close() {
        }

        /**
         * Called after the epoch's last round.
         *
         * @return true to end the run after this epoch
         */
        boolean end(int epoch, EpochProgress progress) throws IOException;
    }

    /**
     * Runs the epochs {@code firstEpoch..epochs}, updating {@code params} in place.
     *
     * @param train    cached, one {@link RowBlock} per partition
     * @param rows     the training rows
     * @param progress where {@code firstEpoch} starts
     * @return the progress of the last epoch run ({@code progress} itself if none was)
     * @throws DivergedException if a round's loss, gradient or update is not finite and the policy is to stop
     */
    public static EpochProgress run(RoundEngine engine, JavaRDD<RowBlock> train, long rows, int batchSize,
                                    int firstEpoch, int epochs, float[] params, EpochProgress progress,
                                    Listener listener) throws IOException {
        int steps = RoundPlan.stepsPerEpoch(rows, batchSize);
        for (int epoch = firstEpoch; epoch <= epochs; epoch++) {
            Epoch hooks = listener.startEpoch(epoch, steps, progress);
            try (hooks) {
                engine.trainEpoch(train, rows, batchSize, epoch, params, progress, hooks);
            }
            boolean stop = hooks.end(epoch, progress);
            if (stop || progress.targetReached() || epoch == epochs) {
                break;
            }
            progress = progress.nextEpoch();
        }
        return progress;
    }
}
