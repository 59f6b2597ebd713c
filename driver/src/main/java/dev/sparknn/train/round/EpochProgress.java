package dev.sparknn.train.round;

/**
 * Where an epoch stands: the next step to run and the running totals of its training loss. Only the round engine
 * advances it; callers read it between rounds. A checkpoint stores it, so that a resumed epoch continues and reports
 * exactly as an uninterrupted one.
 */
public final class EpochProgress {

    int nextStep;
    long globalStep;
    double lossSum;
    long samples;
    long skipped;
    double lastStepLoss = Double.NaN;
    boolean targetReached;
    /** Steps run (applied or skipped) by the latest round. */
    int lastRoundSteps;
    final StepTimes times = new StepTimes();

    /** The start of the first epoch. */
    public EpochProgress() {
    }

    /** Where a checkpoint left an epoch, as {@link Saved} records it. */
    public static EpochProgress resumed(Saved saved) {
        EpochProgress p = new EpochProgress();
        p.times.restore(saved.times());
        p.nextStep = saved.nextStep();
        p.globalStep = saved.globalStep();
        p.lossSum = saved.lossSum();
        p.samples = saved.samples();
        p.skipped = saved.skipped();
        return p;
    }

    /**
     * What a checkpoint keeps of an epoch's progress: the getters' values when it was saved, and {@code times} the
     * {@link StepTimes#state()} of {@link #times()} (empty for none).
     */
    public record Saved(int nextStep, long globalStep, double lossSum, long samples, long skipped, long[] times) {
    }

    /** A fresh epoch's progress; the global step and skipped-step count run on across epochs. */
    public EpochProgress nextEpoch() {
        EpochProgress p = new EpochProgress();
        p.globalStep = globalStep;
        p.skipped = skipped;
        return p;
    }

    /** First step of the epoch not yet run, 0-based. */
    public int nextStep() {
        return nextStep;
    }

    /** Optimizer steps applied since the run began (skipped steps excluded). */
    public long globalStep() {
        return globalStep;
    }

    /** Sum of the training loss over the epoch's samples so far. */
    public double lossSum() {
        return lossSum;
    }

    /** Training samples of the epoch so far. */
    public long samples() {
        return samples;
    }

    /** Steps dropped since the run began because their loss or gradient was not finite ({@code --on-divergence skip}). */
    public long skipped() {
        return skipped;
    }

    /** Mean loss of the latest round if it was applied, NaN if it was skipped or empty. */
    public double lastStepLoss() {
        return lastStepLoss;
    }

    /**
     * Where the step time of this epoch went, over its rounds so far: those of this process, plus those a resumed
     * checkpoint had recorded for the epoch.
     */
    public StepTimes times() {
        return times;
    }

    /** True once a round hook asked to end the epoch (a mid-epoch evaluation reached {@code --target-accuracy}). */
    public boolean targetReached() {
        return targetReached;
    }

    /**
     * True if the latest round passed a multiple of {@code every} steps run (applied or skipped): a round of
     * {@code H} steps passes at most one such point per {@code every ≥ H}, and may pass several otherwise.
     */
    public boolean passed(long every) {
        long after = globalStep + skipped;
        return every > 0 && after / every > (after - lastRoundSteps) / every;
    }

    /** Mean training loss over the epoch's samples so far. */
    public double trainLoss() {
        return lossSum / samples;
    }
}
