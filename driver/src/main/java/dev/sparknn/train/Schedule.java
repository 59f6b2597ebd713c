package dev.sparknn.train;

import dev.sparknn.ops.EnumNames;
import java.util.Locale;

/**
 * The learning rate of each update: an optional linear warm-up from {@code lr/W} to {@code lr} over the first
 * {@code W} updates (large global batches need it), then
 * <ul>
 *   <li>{@code constant}: {@code lr};</li>
 *   <li>{@code step}: {@code lr · factor^⌊e / every⌋}, {@code e} the 0-based epoch of the update;</li>
 *   <li>{@code cosine}: {@code lr · ½(1 + cos(π·p))}, {@code p} going from 0 to 1 over the updates after
 *       warm-up.</li>
 * </ul>
 * A pure function of the update number, so a resumed run continues the same curve.
 *
 * @param warmupSteps   W, 0 for none
 * @param decayEvery    epochs between decays ({@code step})
 * @param decayFactor   multiplier per decay ({@code step})
 * @param stepsPerEpoch updates in one epoch
 * @param totalSteps    updates in the whole run
 */
public record Schedule(Kind kind, double lr, int warmupSteps, int decayEvery, double decayFactor, int stepsPerEpoch,
                       long totalSteps) {

    /** The shapes {@code --schedule} names. */
    public enum Kind {
        CONSTANT, STEP, COSINE;

        public static Kind parse(String name) {
            return EnumNames.parse(Kind.class, "schedule", name);
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The learning rate of update {@code t} (1-based). */
    public double at(long t) {
        if (t <= warmupSteps) {
            return lr * t / warmupSteps;
        }
        return switch (kind) {
            case CONSTANT -> lr;
            case STEP -> lr * Math.pow(decayFactor, ((t - 1) / stepsPerEpoch) / decayEvery);
            case COSINE -> {
                long span = Math.max(1, totalSteps - warmupSteps);
                double p = Math.min(1.0, (double) (t - 1 - warmupSteps) / span);
                yield lr * 0.5 * (1 + Math.cos(Math.PI * p));
            }
        };
    }
}
