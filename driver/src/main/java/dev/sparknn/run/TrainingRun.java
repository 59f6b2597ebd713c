package dev.sparknn.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparknn.ops.Blas;
import dev.sparknn.ops.BlasKernel;
import dev.sparknn.ops.LayerSpelling;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.report.EpochMetrics;
import dev.sparknn.report.Report;
import dev.sparknn.report.StepProgress;
import dev.sparknn.store.Checkpoint;
import dev.sparknn.store.CheckpointStore;
import dev.sparknn.store.ModelFile;
import dev.sparknn.store.RunOutput;
import dev.sparknn.train.BlasKernels;
import dev.sparknn.train.DataConfig;
import dev.sparknn.train.Schedule;
import dev.sparknn.train.SparkSessions;
import dev.sparknn.train.Task;
import dev.sparknn.train.TrainConfig;
import dev.sparknn.train.TrainOptions;
import dev.sparknn.train.TrainingData;
import dev.sparknn.train.round.EpochLoop;
import dev.sparknn.train.round.EpochProgress;
import dev.sparknn.train.round.RoundEngine;
import dev.sparknn.train.round.RoundPlan;
import dev.sparknn.train.round.WarmUp;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training run on a Spark session: validate and load the data, start afresh or resume from a checkpoint,
 * run the epochs (checkpointing every {@code --checkpoint-every} steps and at each epoch end), evaluate after
 * each epoch, and write metrics, config and model into the run's output folder.
 */
public final class TrainingRun {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SparkSession spark;
    private final TrainConfig cfg;
    private final RunOutput output;
    private final String checkpointDir;
    private final PrintWriter console;
    private final long processStart;
    /** True once the run is asked to stop (SIGINT/SIGTERM): it checkpoints after the current round and stops. */
    private final BooleanSupplier stopRequested;
    /** The training table already opened and profiled, or null. */
    private final TrainingData.TableProfile profiled;
    /**
     * The run's history, all kept in checkpoints with the epoch's step times so far: the metrics.jsonl and
     * evals.jsonl lines so far, the mean loss of every applied update, and the training clock (step time) at the
     * end of the last finished epoch.
     */
    private final List<String> metricLines = new ArrayList<>();
    private final List<String> evalLines = new ArrayList<>();
    private double trainSecondsBefore;
    private double[] stepLosses = new double[0];
    /** Where each of {@link #stepLosses} belongs on the plot's epoch axis ({@link Checkpoint#stepLossEpochs}). */
    private double[] stepLossEpochs = new double[0];
    /** {@link TrainConfig#identity()} with the data paths fully qualified, so relative spellings match. */
    private Map<String, String> identity;
    private int stepLossCount;
    /** The driver's and the executors' BLAS kernels, surveyed once the training blocks are cached. */
    private BlasKernels kernels;
    /** With {@code --round-hashes}: the current epoch's rounds so far, {@code {"step": …, "sha256": …}} each. */
    private final ArrayNode roundHashes = JSON.createArrayNode();
    /** The latest test evaluation written to evals.jsonl. */
    private Network.Evaluation lastEval;
    /** The test evaluation at the end of the latest epoch run; null if none was run. */
    private Network.Evaluation lastEpochEval;

    /**
     * @param profiled the training table as {@link dev.sparknn.train.DataWidths#of} opened and profiled it (with
     *                 {@code --layers auto}), loaded without reading it again; null to read it afresh
     */
    public TrainingRun(SparkSession spark, TrainConfig cfg, RunOutput output, String checkpointDir, PrintWriter console,
                long processStart, BooleanSupplier stopRequested, TrainingData.TableProfile profiled) {
        this.stopRequested = stopRequested;
        this.profiled = profiled;
        this.spark = spark;
        this.cfg = cfg;
        this.output = output;
        this.checkpointDir = checkpointDir;
        this.console = console;
        this.processStart = processStart;
    }

    public void run() throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoop = sc.hadoopConfiguration();
        // Every path the user gave, made absolute here on the driver before an executor sees one.
        DataConfig dataConfig = cfg.data().qualified(hadoop);
        identity = new LinkedHashMap<>(cfg.identity());
        identity.put("data", dataConfig.path());
        identity.put("test-data", dataConfig.testData());
        Network net = cfg.network();
        CheckpointStore store = new CheckpointStore(hadoop, DataConfig.qualify(hadoop, checkpointDir),
                cfg.keepCheckpoints());
        Checkpoint resumed = cfg.resume().isBlank() ? null : newestCheckpoint(hadoop);
        if (resumed == null && !store.list().isEmpty()) {
            if (!cfg.overwrite()) {
                throw new TrainConfig.ConfigException("--checkpoint-dir " + store.dir() + " already holds checkpoints; "
                        + "continue that run with --resume " + store.dir() + ", or pass --overwrite to delete them "
                        + "and start afresh");
            }
            LOG.info("--overwrite: deleting the checkpoints in {}", store.dir());
            store.clear();
        }
        LOG.info("BLAS: {}; Spark {} master {}; checkpoints in {}", BlasKernel.probe(), spark.version(),
                sc.master(), store.dir());

        StorageLevel storage = SparkSessions.storageLevel(sc.getConf());
        // The first round's code runs compiled: synthetic rounds warm it while the data loads.
        WarmUp warmUp = WarmUp.start(sc, net, cfg.optimizer(), cfg.rounds(), cfg.partitions(), cfg.batchSize());
        try (TrainingData data = TrainingData.load(spark, dataConfig, cfg.task(), net,
                cfg.partitions() * cfg.chunks(), cfg.seed(), storage, profiled)) {
            kernels = BlasKernels.survey(data.train());
            LOG.info("BLAS kernels: {}", kernels.summary());
            kernels.warning().ifPresent(w -> console.println("warning: " + w));
            if (data.encoding() != null) {
                data.encoding().emptyCells().forEach(w -> console.println("warning: " + dataConfig.path() + ": " + w));
            }
            warmUp.join();
            // The session may outlive this run (an embedding application, a test JVM): close frees the cache.
            train(sc, data, net, store, resumed);
        } finally {
            // Also when the load failed: no warm-up job outlives the run in a session that may outlive it.
            warmUp.join();
        }
    }

    private void train(JavaSparkContext sc, TrainingData data, Network net, CheckpointStore store,
                       Checkpoint resumed) throws IOException {
        JavaRDD<RowBlock> train = data.train();
        int batchSize = batchSize(data.trainRows());
        int steps = RoundPlan.stepsPerEpoch(data.trainRows(), batchSize);
        float[] params;
        int startEpoch = 1;
        EpochProgress progress = new EpochProgress();
        double elapsedBefore = 0;
        if (resumed == null) {
            params = net.initParams(cfg.init(), cfg.seed());
        } else {
            if (resumed.params().length != net.numParams() || resumed.epoch() > cfg.epochs()
                    || resumed.nextStep() > steps) {
                throw new Checkpoint.CorruptCheckpointException(cfg.resume(), String.format("does not fit this run: "
                        + "%d parameters (expected %d), epoch %d of %d, step %d of %d", resumed.params().length,
                        net.numParams(), resumed.epoch(), cfg.epochs(), resumed.nextStep(), steps));
            }
            params = resumed.params();
            startEpoch = resumed.epoch();
            progress = EpochProgress.resumed(new EpochProgress.Saved(resumed.nextStep(), resumed.globalStep(),
                    resumed.epochLossSum(), resumed.epochSamples(), resumed.skippedSteps(), resumed.epochTimes()));
            metricLines.addAll(resumed.metrics());
            stepLosses = resumed.stepLosses().clone();
            stepLossEpochs = resumed.stepLossEpochs().clone();
            stepLossCount = stepLosses.length;
            elapsedBefore = resumed.elapsedSeconds();
            evalLines.addAll(resumed.evals());
            trainSecondsBefore = resumed.trainSeconds();
            if (progress.nextStep() >= steps) {
                startEpoch++;
                progress = progress.nextEpoch();
            }
        }
        writeConfig(net, sc.master());
        Schedule schedule = cfg.schedule().build(cfg.optimizer().lr(), steps, cfg.epochs());
        if (cfg.chunks() > steps) {
            throw new TrainConfig.ConfigException("--chunks " + cfg.chunks() + " is more than the " + steps
                    + " steps of an epoch; every chunk needs a step");
        }
        RoundEngine trainer = new RoundEngine(sc, net, cfg.optimizer(), schedule, cfg.seed(), cfg.onDivergence(),
                cfg.chunks(), cfg.rounds());
        if (resumed != null) {
            trainer.restore(resumed.optimizerState());
        }
        int rounds = trainer.plan(steps).rounds();
        console.printf("training %s (%,d parameters) on %s in %d partitions: %d step%s of ~%d per epoch%s%n",
                LayerSpelling.describe(identity.get("layers"), identity.get("activation")), net.numParams(),
                data.describe(),
                cfg.partitions(), steps, steps == 1 ? "" : "s", batchSize, rounds == steps ? ""
                        : String.format(", in %d round%s of up to %d local steps", rounds, rounds == 1 ? "" : "s",
                                Math.min(steps, cfg.rounds().localSteps())));
        if (resumed != null && startEpoch > cfg.epochs()) {
            console.printf("resumed from %s: all %d epochs were already done%n", cfg.resume(), cfg.epochs());
        } else if (resumed != null) {
            console.printf("resumed from %s at epoch %d step %d%n", cfg.resume(), startEpoch, progress.nextStep() + 1);
        }

        Clock clock = new Clock(System.currentTimeMillis(), elapsedBefore);
        try (BufferedWriter metrics = Files.newBufferedWriter(output.file("metrics.jsonl"));
             // Only runs that evaluate between epoch ends (or stop at a target) have an evals.jsonl, and runs
             // resumed from one that had.
             BufferedWriter evals = cfg.evalEvery() > 0 || cfg.targetAccuracy() > 0 || !evalLines.isEmpty()
                     ? Files.newBufferedWriter(output.file("evals.jsonl")) : null) {
            for (String line : metricLines) {
                metrics.write(line);
                metrics.newLine();
            }
            for (String line : evalLines) {
                evals.write(line);
                evals.newLine();
            }
            Epochs epochs = new Epochs(data, net, store, trainer, schedule, params, metrics, evals, clock,
                    startEpoch);
            EpochLoop.run(trainer, train, data.trainRows(), batchSize, startEpoch, cfg.epochs(), params, progress,
                    epochs);
        }
        Network.Evaluation eval = lastEpochEval;
        // The saved model takes raw features and predicts in the target's units: standardisation moves into its
        // first and last layers.
        ModelFile.write(output.file("model.bin"), net, cfg.task(), data.foldInto(net, params),
                data.featureNames(), data.encoding(), inputRange(data));
        if (eval == null) {
            // Resumed from the final checkpoint: nothing left to train, but the report needs the test results.
            eval = data.inTargetUnits(trainer.evaluate(data.test(), params));
        }
        Map<String, String> shown = new LinkedHashMap<>(identity);
        shown.put("master", sc.master());
        shown.put("parameters", Integer.toString(net.numParams()));
        shown.put("blas", Blas.implementation());
        Report.write(output.dir(), metricLines, Arrays.copyOf(stepLossEpochs, stepLossCount),
                Arrays.copyOf(stepLosses, stepLossCount), eval, shown,
                data.encoding() == null ? List.of() : data.encoding().classes());
        // The final weights, as metrics.jsonl's last line has them: two runs agree on it when bitwise equal.
        console.println("weights_sha256 " + ModelFile.sha256(params));
    }

    /**
     * The training rows' smallest and largest input, for inputs without a table encoding (images), which
     * {@code predict} and {@code evaluate} check other inputs against; null for a table, or when the inputs were
     * standardised (the range would be in other units than the model's inputs).
     */
    private static double[] inputRange(TrainingData data) {
        if (data.encoding() != null || !data.featureNames().isEmpty() || data.standardization() != null) {
            return null;
        }
        return data.train().map(b -> {
            // Plain float comparisons, which the JIT vectorises: Math.min's NaN rule kept the loop scalar, 55 against
            // 27 ms over MNIST's 47M values on one thread. The loaded features are finite.
            float[] x = b.features();
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int i = 0, end = b.rows() * b.numFeatures(); i < end; i++) {
                float v = x[i];
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
            // + 0: a zero is +0 whichever of 0 and -0 came first, so the range does not depend on row order.
            return new double[] {lo + 0.0, hi + 0.0};
        }).reduce((a, b) -> new double[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
    }

    /**
     * The run's clock: when its first step began in this process, and the wall time of earlier processes.
     *
     * @param firstStep      {@link System#currentTimeMillis()} at this process's first step
     * @param elapsedBefore  seconds of the run before this process resumed it
     */
    private record Clock(long firstStep, double elapsedBefore) {
        /** Seconds since the run began, over every process. */
        double elapsed() {
            return elapsedBefore + (System.currentTimeMillis() - firstStep) / 1000.0;
        }
    }

    /** What the command line does around the epochs: the progress bar, evaluations, metrics and checkpoints. */
    private final class Epochs implements EpochLoop.Listener {
        private final TrainingData data;
        private final Network net;
        private final CheckpointStore store;
        private final RoundEngine trainer;
        private final Schedule schedule;
        private final float[] params;
        private final BufferedWriter metrics;
        /** Null for a run that writes no evals.jsonl. */
        private final BufferedWriter evals;
        private final Clock clock;
        private final int startEpoch;

        Epochs(TrainingData data, Network net, CheckpointStore store, RoundEngine trainer, Schedule schedule,
               float[] params, BufferedWriter metrics, BufferedWriter evals, Clock clock, int startEpoch) {
            this.data = data;
            this.net = net;
            this.store = store;
            this.trainer = trainer;
            this.schedule = schedule;
            this.params = params;
            this.metrics = metrics;
            this.evals = evals;
            this.clock = clock;
            this.startEpoch = startEpoch;
        }

        @Override
        public EpochLoop.Epoch startEpoch(int epoch, int steps, EpochProgress progress) {
            return new Epoch(this, epoch, steps, progress);
        }
    }

    /** One epoch of the command line's run: its progress bar, and its clock without the evaluations. */
    private final class Epoch implements EpochLoop.Epoch {
        private final Epochs run;
        private final int steps;
        private final long t0 = System.nanoTime();
        private final long samplesBefore;
        private final double elapsedAtStart;
        private final double trainBefore = trainSecondsBefore;
        private final StepProgress bar;
        /** Time spent in mid-epoch evaluations, which the epoch's throughput leaves out. */
        private long evalNanos;

        Epoch(Epochs run, int epoch, int steps, EpochProgress progress) {
            this.run = run;
            this.steps = steps;
            this.samplesBefore = progress.samples();
            this.elapsedAtStart = run.clock.elapsed();
            String task = String.format("epoch %" + Integer.toString(cfg.epochs()).length() + "d/%d", epoch,
                    cfg.epochs());
            this.bar = StepProgress.start(task, steps, progress.nextStep(), console);
        }

        /** Seconds since the epoch began, evaluations excluded. */
        private double seconds() {
            return (System.nanoTime() - t0 - evalNanos) / 1e9;
        }

        @Override
        public boolean afterRound(int epoch, int n, EpochProgress p) throws IOException {
            double seconds = seconds();
            // Training runs on standardised targets; everything reported is in the user's units.
            bar.update(p.nextStep(), run.data.lossScale() * p.trainLoss(), (p.samples() - samplesBefore) / seconds);
            if (!Double.isNaN(p.lastStepLoss())) {
                addStepLoss(epoch - 1 + (double) p.nextStep() / n, run.data.lossScale() * p.lastStepLoss());
            }
            boolean reached = false;
            if (p.nextStep() < n && p.passed(cfg.evalEvery())) {
                long e0 = System.nanoTime();
                Network.Evaluation mid = run.data.inTargetUnits(run.trainer.evaluate(run.data.test(), run.params));
                evalNanos += System.nanoTime() - e0;
                reached = recordEval(run.evals, epoch, p, trainBefore + p.times().seconds(), mid);
            }
            if (cfg.get(TrainOptions.ROUND_HASHES)) {
                roundHashes.addObject().put("step", p.nextStep()).put("sha256", ModelFile.sha256(run.params));
            }
            afterStep(run.store, epoch, n, p, run.params, run.trainer, elapsedAtStart + seconds);
            return reached;
        }

        @Override
        public void close() {
            bar.close();
        }

        @Override
        public boolean end(int epoch, EpochProgress progress) throws IOException {
            double epochSeconds = seconds();
            trainSecondsBefore += progress.times().seconds();
            // Stopped at the target: the evaluation that reached it is of these very weights.
            Network.Evaluation eval = progress.targetReached() ? lastEval
                    : run.data.inTargetUnits(run.trainer.evaluate(run.data.test(), run.params));
            lastEpochEval = eval;
            if (epoch == run.startEpoch && cfg.task() != Task.REGRESSION) {
                Report.absentClassesWarning(eval, "the test rows", run.data.encoding() == null ? List.of()
                        : run.data.encoding().classes()).ifPresent(w -> console.println("warning: " + w));
            }
            boolean reached = progress.targetReached();
            if ((cfg.evalEvery() > 0 || cfg.targetAccuracy() > 0) && !reached) {
                reached = recordEval(run.evals, epoch, progress, trainSecondsBefore, eval);
            }
            double elapsed = run.clock.elapsed();
            boolean regression = cfg.task() == Task.REGRESSION;
            double trainLoss = run.data.lossScale() * progress.trainLoss();
            EpochMetrics m = new EpochMetrics(epoch, cfg.epochs(), steps, trainLoss, eval.meanLoss(),
                    regression ? Double.NaN : eval.accuracy(),
                    regression ? Math.sqrt(2 * trainLoss / run.net.numOutputs()) : Double.NaN,
                    regression ? eval.rmse() : Double.NaN,
                    (progress.samples() - samplesBefore) / epochSeconds, epochSeconds, elapsed,
                    (run.clock.firstStep() - processStart) / 1000.0, progress.skipped(),
                    run.schedule.at(Math.max(1, progress.globalStep())), trainSecondsBefore,
                    EpochMetrics.heapAfterLastGcMb(), progress.times(), ModelFile.sha256(run.params));
            console.println(m.progressLine());
            String line = metricsLine(m);
            metricLines.add(line);
            run.metrics.write(line);
            run.metrics.newLine();
            run.metrics.flush();
            String saved = run.store.save(checkpoint(epoch, progress, run.params, run.trainer, elapsed));
            if (stopRequested.getAsBoolean() && epoch < cfg.epochs()) {
                throw new InterruptedRunException(String.format("interrupted after epoch %d; checkpoint %s "
                        + "written; continue with --resume %s", epoch, saved, run.store.dir()));
            }
            return reached;
        }
    }

    /**
     * The epoch's line of metrics.jsonl: {@link EpochMetrics}'s fields, the BLAS kernels ({@link BlasKernels#summary})
     * and, with {@code --round-hashes}, the weights' hash after each of the epoch's rounds (by the epoch's step count
     * at its end; a run resumed mid-epoch lacks the rounds before its checkpoint).
     */
    private String metricsLine(EpochMetrics m) throws IOException {
        ObjectNode o = (ObjectNode) JSON.readTree(m.toJson());
        o.put("blas", kernels.summary());
        if (cfg.get(TrainOptions.ROUND_HASHES)) {
            o.set("round_sha256", roundHashes.deepCopy());
            roundHashes.removeAll();
        }
        return o.toString();
    }

    /**
     * {@code --batch-size}, or the training row count if that is smaller: one step per epoch over every row, with a
     * warning, rather than a plan of batches that cannot be filled.
     */
    private int batchSize(long trainRows) {
        if (cfg.batchSize() <= trainRows || trainRows == 0) {
            return cfg.batchSize();
        }
        console.printf("warning: --batch-size %,d is larger than the %,d training rows; using a batch of %,d (one "
                + "step per epoch)%n", cfg.batchSize(), trainRows, trainRows);
        return (int) trainRows;
    }

    /**
     * Writes one line of evals.jsonl.
     *
     * @return true if the evaluation reached {@code --target-accuracy}: the run ends after this round
     * @param trainSeconds training time so far in this process: step time only, evaluations excluded
     */
    private boolean recordEval(BufferedWriter evals, int epoch, EpochProgress p, double trainSeconds,
                            Network.Evaluation e) throws IOException {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("epoch", epoch);
        o.put("step", p.nextStep());
        o.put("global_step", p.globalStep());
        o.put("train_seconds", trainSeconds);
        o.put("test_loss", e.meanLoss());
        if (cfg.task() == Task.REGRESSION) {
            o.put("test_rmse", e.rmse());
        } else {
            o.put("test_accuracy", e.accuracy());
        }
        lastEval = e;
        evalLines.add(o.toString());
        evals.write(o.toString());
        evals.newLine();
        evals.flush();
        boolean reached = cfg.targetAccuracy() > 0 && e.accuracy() >= cfg.targetAccuracy();
        if (reached) {
            console.printf(java.util.Locale.ROOT, "reached test accuracy %.2f%% >= %.2f%% at epoch %d step %d "
                    + "(global step %d) after %.2f s of training%n", 100 * e.accuracy(), 100 * cfg.targetAccuracy(),
                    epoch, p.nextStep(), p.globalStep(), trainSeconds);
        }
        return reached;
    }

    /** Records a round's mean loss, at {@code epochs} on the epoch axis: after step s of epoch e of S, e - 1 + s/S. */
    private void addStepLoss(double epochs, double loss) {
        if (stepLossCount == stepLosses.length) {
            stepLosses = Arrays.copyOf(stepLosses, Math.max(64, 2 * stepLosses.length));
            stepLossEpochs = Arrays.copyOf(stepLossEpochs, stepLosses.length);
        }
        stepLossEpochs[stepLossCount] = epochs;
        stepLosses[stepLossCount++] = loss;
    }

    /** Checkpoints every {@code --checkpoint-every} steps, and stops cleanly, checkpoint first, when asked to. */
    private void afterStep(CheckpointStore store, int epoch, int steps, EpochProgress progress, float[] params,
                           RoundEngine trainer, double elapsed) throws IOException {
        boolean stop = stopRequested.getAsBoolean();
        boolean due = progress.passed(cfg.checkpointEvery());
        if ((stop || due) && progress.nextStep() < steps) {
            String file = store.save(checkpoint(epoch, progress, params, trainer, elapsed));
            if (stop) {
                throw new InterruptedRunException(String.format("interrupted at epoch %d step %d; checkpoint %s "
                        + "written; continue with --resume %s", epoch, progress.nextStep(), file, store.dir()));
            }
        }
    }

    private Checkpoint checkpoint(int epoch, EpochProgress p, float[] params, RoundEngine trainer,
                                  double elapsed) {
        // The output folder too, so that --resume alone writes where the interrupted run would have.
        Map<String, String> recorded = new LinkedHashMap<>(identity);
        recorded.put("out", output.target().toString());
        return Checkpoint.builder().config(recorded).epoch(epoch).nextStep(p.nextStep()).globalStep(p.globalStep())
                .epochLossSum(p.lossSum()).epochSamples(p.samples()).skippedSteps(p.skipped()).elapsedSeconds(elapsed)
                .metrics(List.copyOf(metricLines)).stepLosses(Arrays.copyOf(stepLosses, stepLossCount))
                .stepLossEpochs(Arrays.copyOf(stepLossEpochs, stepLossCount)).params(params)
                .optimizerState(trainer.state()).evals(List.copyOf(evalLines)).trainSeconds(trainSecondsBefore)
                .epochTimes(p.times().state()).build();
    }

    private Checkpoint newestCheckpoint(Configuration hadoop) throws IOException {
        CheckpointStore from = new CheckpointStore(hadoop, DataConfig.qualify(hadoop, cfg.resume()),
                cfg.keepCheckpoints());
        Checkpoint c = from.newestValid(identity).orElseThrow(() -> new TrainConfig.ConfigException(
                "--resume " + cfg.resume() + " holds no valid checkpoint (ckpt-*.bin)"));
        LOG.info("resuming from {}: epoch {}, step {}, global step {}", from.dir(), c.epoch(), c.nextStep(),
                c.globalStep());
        return c;
    }


    private void writeConfig(Network net, String master) throws IOException {
        ObjectNode o = new ObjectMapper().createObjectNode();
        identity.forEach(o::put);
        o.put("master", master);
        o.put("checkpoint_dir", checkpointDir);
        o.put("resumed_from", cfg.resume());
        o.put("num_params", net.numParams());
        o.put("blas", Blas.implementation());
        ObjectNode blasKernels = o.putObject("blas_kernels");
        kernels.asMap().forEach(blasKernels::put);
        Files.writeString(output.file("config.json"), o.toPrettyString() + System.lineSeparator());
    }

    /** The run was stopped by a signal after writing a checkpoint. */
    public static final class InterruptedRunException extends RuntimeException {
        InterruptedRunException(String message) {
            super(message);
        }
    }
}
