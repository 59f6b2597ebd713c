package dev.sparknn.report;

import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress within an epoch: on a terminal, a live bar (steps, loss, samples/s, elapsed and ETA) drawn by the
 * progressbar library on stderr; elsewhere (logs, CI, pipes) a plain line every tenth of the epoch, so that
 * a log shows progress without being flooded.
 */
public final class StepProgress implements AutoCloseable {

    private final ProgressBar bar;
    private final PrintWriter plain;
    private final String task;
    private final int steps;
    private final int every;
    /** The step reached at the previous update: a plain line is due once a multiple of {@code every} is passed. */
    private int previous;

    private StepProgress(ProgressBar bar, PrintWriter plain, String task, int steps, int firstStep) {
        this.bar = bar;
        this.plain = plain;
        this.task = task;
        this.steps = steps;
        this.every = Math.max(1, steps / 10);
        this.previous = firstStep;
    }

    /**
     * @param firstStep steps of the epoch already done (a resumed epoch starts part-way)
     * @param console   where plain lines go when there is no terminal
     */
    public static StepProgress start(String task, int steps, int firstStep, PrintWriter console) {
        if (System.console() == null) {
            return plain(task, steps, firstStep, console);
        }
        ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(steps)
                .startsFrom(firstStep, java.time.Duration.ZERO).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250).setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
        return new StepProgress(bar, null, task, steps, firstStep);
    }

    /** Plain lines to {@code console} whatever the terminal, as {@link #start} writes them without one. */
    static StepProgress plain(String task, int steps, int firstStep, PrintWriter console) {
        return new StepProgress(null, console, task, steps, firstStep);
    }

    /**
     * After step {@code done} (1-based) of the epoch, with the epoch's running mean loss and throughput. Updates come
     * once a round, and a round of {@code --local-steps} may pass several tenths of the epoch: a plain line is
     * printed when the round passed at least one, so at most once a round.
     */
    public void update(int done, double loss, double samplesPerSecond) {
        String stats = String.format(Locale.ROOT, "loss %.4f  %,.0f samples/s", loss, samplesPerSecond);
        if (bar != null) {
            bar.stepTo(done);
            bar.setExtraMessage(stats);
        } else if (done / every > previous / every && done < steps) {
            plain.printf("%s  step %d/%d  %s%n", task, done, steps, stats);
        }
        previous = done;
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
