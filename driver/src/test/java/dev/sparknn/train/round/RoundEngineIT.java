package dev.sparknn.train.round;

import static dev.sparknn.train.TrainConfig.OnDivergence.STOP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.data.BlockLoader;
import dev.sparknn.data.IdxDataset;
import dev.sparknn.data.SparkTestSession;
import dev.sparknn.ops.Activation;
import dev.sparknn.ops.MeanSquaredError;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.ops.SoftmaxCrossEntropy;
import dev.sparknn.ops.WeightInit;
import dev.sparknn.testing.Mnist;
import dev.sparknn.train.Optimizer;
import dev.sparknn.train.Schedule;
import dev.sparknn.train.TrainConfig;
import dev.sparknn.train.TrainOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoundEngineIT {

    private static final JavaSparkContext SC = SparkTestSession.context();
    private static final int FEATURES = 12;
    private static final int CLASSES = 3;
    /** Odd, so that 2 and 4 partitions get unequal shares. */
    private static final int ROWS = 241;

    private final Network net = new Network(new int[] {FEATURES, 10, CLASSES}, Activation.TANH,
            new SoftmaxCrossEntropy());
    private final RowBlock data = synthetic(ROWS, 5);

    @Test
    void stepPayloadIsTheSumOverEverySampleWhateverThePartitioning() {
        float[] params = net.initParams(WeightInit.parse("auto"), 1);
        float[] expected = new float[net.numParams()];
        double expectedLoss = net.accumulateGradient(params, data, identity(ROWS), 0, ROWS,
                net.newWorkspace(ROWS), expected);
        RoundEngine trainer = trainer(net, 0.1, 0, 3, STOP);
        double[] payload = trainer.gradientStep(split(data, 3), params, 1, 0, 1).payload();

        assertEquals(net.numParams() + 2, payload.length);
        assertEquals(ROWS, payload[net.numParams() + 1], "sample count");
        // Each row's loss is in double from its float32 logits, which came out the same here: the double sums in
        // another grouping differ by at most 2·240·2^-53 ≈ 5e-14 relative (positive terms); measured 1.8e-16. 1e-6
        // leaves room for a BLAS whose blocking moves a logit by an ulp (about 1e-7 of a loss).
        assertEquals(expectedLoss, payload[net.numParams()], 1e-6 * expectedLoss);
        for (int i = 0; i < expected.length; i++) {
            // float32 sums of 241 terms in another order: a few ulps of the largest term (measured up to 1.8e-5
            // absolute, 1.4e-6 relative).
            assertEquals(expected[i], payload[i], 1e-5 + 1e-5 * Math.abs(expected[i]), "gradient " + i);
        }
    }

    /**
     * Full-batch gradient descent sees the same gradient whatever the partition count, so the weights after
     * ten steps agree. Partitions sum their share in float32 and payloads add in double, so only the
     * association order of float sums differs: ~1e-7 relative per step, amplified a little by ten steps at
     * lr 0.5 (measured max difference 1.2e-7); 1e-5 is far below any real difference (a dropped partition or a
     * batch-count average moves weights by ~1e-2).
     */
    @Test
    void fullBatchGradientDescentGivesTheSameWeightsWith1And2And4And16Partitions() throws Exception {
        float[] reference = null;
        for (int partitions : new int[] {1, 2, 4, 16}) {
            float[] params = net.initParams(WeightInit.parse("auto"), 1);
            RoundEngine trainer = trainer(net, 0.5, 0, 3, STOP);
            JavaRDD<RowBlock> blocks = split(data, partitions);
            for (int epoch = 1; epoch <= 10; epoch++) {
                EpochProgress result = runEpoch(trainer, blocks, ROWS, epoch, params, new ArrayList<>());
                assertEquals(1, result.nextStep);
                assertEquals(ROWS, result.samples);
            }
            blocks.unpersist(true);
            if (reference == null) {
                reference = params;
            } else {
                assertArrayEquals(reference, params, 1e-5f, partitions + " partitions");
            }
        }
    }

    /**
     * Beyond 8 partitions, executors merge aligned groups before the driver (README, "Driver memory"); the summed
     * payload, and so the weights, must still be bitwise the same whatever order the tasks finish in. In the second
     * run partition 0's task sleeps for a second, so it finishes last instead of first (with 2 task slots, the other
     * 15 pass it). The partitions' features are scaled by 10^(3·(p mod 5)), so their payloads span 12 orders of magnitude and double
     * addition depends on the order (with partials of similar size, double sums of float32 values are exact, and
     * any order would pass).
     */
    @Test
    void beyondEightPartitionsThePayloadIsBitwiseTheSameWhateverOrderTasksFinishIn() {
        List<RowBlock> parts = new ArrayList<>();
        List<RowBlock> slices = data.split(16);
        for (int p = 0; p < slices.size(); p++) {
            float[] x = slices.get(p).features().clone();
            float scale = (float) Math.pow(10, 3 * (p % 5));
            for (int i = 0; i < x.length; i++) {
                x[i] *= scale;
            }
            parts.add(slices.get(p).withFeatures(x));
        }
        JavaRDD<RowBlock> cached = SC.parallelize(parts, 16).cache();
        float[] params = net.initParams(WeightInit.parse("auto"), 1);
        double[] reference = null;
        for (boolean firstLast : new boolean[] {false, true}) {
            JavaRDD<RowBlock> blocks = cached.mapPartitionsWithIndex((p, rows) -> {
                Thread.sleep(firstLast && p == 0 ? 1000 : 0);
                return rows;
            }, true);
            double[] payload = trainer(net, 0.5, 0.9, 3, STOP).gradientStep(blocks, params, 1, 0, 1).payload();
            if (reference == null) {
                reference = payload;
            } else {
                assertArrayEquals(reference, payload, 0.0, "the other task order");
            }
        }
        cached.unpersist(true);
    }

    @Test
    void withChunksAnEpochStillVisitsEveryRowOnceReadingOneChunkPerStep() throws Exception {
        float[] params = net.initParams(WeightInit.parse("auto"), 1);
        double allRows = net.evaluate(params, data, net.newWorkspace(ROWS)).lossSum();
        // lr 1e-30 leaves the weights as they are, so the epoch's loss sum is the sum over the rows it visited.
        for (int chunks : new int[] {1, 3}) {
            RoundEngine trainer = trainer(net, sgd(1e-30, 0).set(TrainOptions.SEED, 7L)
                    .set(TrainOptions.CHUNKS, chunks).build(), 1);
            JavaRDD<RowBlock> blocks = split(data, 2 * chunks);
            List<Long> batches = new ArrayList<>();
            EpochProgress result = runEpoch(trainer, blocks, 32, 2, params, batches);
            assertEquals(ROWS, result.samples, chunks + " chunks");
            // As in the first test: the same row losses summed in double in another grouping (measured 1.8e-16).
            assertEquals(allRows, result.lossSum, 1e-6 * allRows, chunks + " chunks: each row's loss once");
            assertEquals(8, batches.size());
            for (long b : batches) {
                // A chunk's rows spread over its ⌊S/K⌋ or ⌈S/K⌉ steps: 80 rows over 2 or 3 steps here.
                assertTrue(b >= 26 && b <= (chunks == 1 ? 36 : 45), chunks + " chunks: batches " + batches);
            }
            blocks.unpersist(true);
        }
    }

    @Test
    void anEpochVisitsEveryRowOnceInBalancedGlobalBatches() throws Exception {
        float[] params = net.initParams(WeightInit.parse("auto"), 1);
        RoundEngine trainer = trainer(net, 0.1, 0.9, 3, STOP);
        JavaRDD<RowBlock> blocks = split(data, 2);
        List<Long> batches = new ArrayList<>();
        EpochProgress result = runEpoch(trainer, blocks, 64, 1, params, batches);
        // 241 rows in ⌈241/64⌉ = 4 steps; partitions of 120 and 121 rows, the second staggered by φ = 2:
        // [30,30,30,30] + [30,31,30,30].
        assertEquals(List.of(60L, 61L, 60L, 60L), batches);
        assertEquals(4, result.nextStep);
        assertEquals(4, result.globalStep);
        assertEquals(ROWS, result.samples);
        blocks.unpersist(true);
    }

    @Test
    void divergenceStopsTrainingNamingEpochStepAndParameterBlock() {
        Network linear = new Network(new int[] {FEATURES, CLASSES}, Activation.IDENTITY, new MeanSquaredError());
        float[] params = linear.initParams(WeightInit.parse("auto"), 1);
        RoundEngine trainer = trainer(linear, 1e4, 0, 3, STOP);
        JavaRDD<RowBlock> blocks = split(data, 2);
        DivergedException e = assertThrows(DivergedException.class, () -> {
            for (int epoch = 1; epoch <= 50; epoch++) {
                runEpoch(trainer, blocks, 32, epoch, params, new ArrayList<>());
            }
        });
        assertTrue(e.getMessage().matches("training diverged at epoch \\d+ step \\d+: (loss sum is .*|gradient of "
                + "[Wb]1\\[.*|the update made [Wb]1\\[.*)"), e.getMessage());
        blocks.unpersist(true);
    }

    @Test
    void skipPolicyDropsNonFiniteStepsAndGoesOnUntilAWholeEpochIsLost() throws Exception {
        Network linear = new Network(new int[] {FEATURES, CLASSES}, Activation.IDENTITY, new MeanSquaredError());
        float[] params = linear.initParams(WeightInit.parse("auto"), 1);
        RoundEngine trainer = trainer(linear, 1e4, 0, 3, TrainConfig.OnDivergence.SKIP);
        JavaRDD<RowBlock> blocks = split(data, 2);
        EpochProgress progress = new EpochProgress();
        List<Long> skippedAfterEpoch = new ArrayList<>();
        DivergedException e = assertThrows(DivergedException.class, () -> {
            for (int epoch = 1; epoch <= 20; epoch++) {
                progress.nextStep = 0;
                trainer.trainEpoch(blocks, ROWS, 32, epoch, params, progress, (ep, n, p) -> false);
                skippedAfterEpoch.add(progress.skipped);
            }
        });
        // At lr 1e4 the weights grow until updates overflow; once every step of an epoch is skipped there is
        // nothing left to train. (Skipping a step and training on is the test below.)
        assertTrue(e.getMessage().contains("every step of epoch"), e.getMessage());
        assertEquals(8, progress.nextStep, "the failing epoch still ran to its end: ⌈241/32⌉ steps");
        for (float w : params) {
            assertTrue(Float.isFinite(w), "a skipped step must not touch the weights");
        }
        blocks.unpersist(true);
    }

    /**
     * One row of the largest float values makes its step's loss and gradient overflow: with --on-divergence skip
     * that step alone is dropped, once an epoch (rows are shuffled into a different batch each epoch), and the
     * other steps train on.
     */
    @Test
    void skipPolicyDropsOnlyTheStepsThatOverflowAndTheOthersTrain() throws Exception {
        float[] x = data.features().clone();
        Arrays.fill(x, 0, FEATURES, Float.MAX_VALUE);
        RowBlock poisoned = new RowBlock(ROWS, FEATURES, x, data.labels());
        Network linear = new Network(new int[] {FEATURES, CLASSES}, Activation.IDENTITY, new MeanSquaredError());
        float[] params = linear.initParams(WeightInit.parse("auto"), 1);
        float[] initial = params.clone();
        RoundEngine trainer = trainer(linear, 0.05, 0, 3, TrainConfig.OnDivergence.SKIP);
        JavaRDD<RowBlock> blocks = split(poisoned, 2);
        EpochProgress progress = new EpochProgress();
        for (int epoch = 1; epoch <= 3; epoch++) {
            progress.nextStep = 0;
            trainer.trainEpoch(blocks, ROWS, 32, epoch, params, progress, (ep, n, p) -> false);
            assertEquals(8, progress.nextStep, "epoch " + epoch + " ran all ⌈241/32⌉ steps");
            assertEquals(epoch, progress.skipped, "one skipped step per epoch, the poisoned row's");
        }
        for (float w : params) {
            assertTrue(Float.isFinite(w), "a skipped step must not touch the weights");
        }
        assertFalse(Arrays.equals(initial, params), "the 21 other steps trained");
        blocks.unpersist(true);
    }

    @Test
    void parameterNamesLocateLayerAndPosition() {
        // [12, 10, 3]: W1 is 12x10 at 0, b1 at 120, W2 is 10x3 at 130, b2 at 160.
        assertEquals("W1[0,0] (layer 1 weights)", MeanGradient.parameterName(net, 0));
        assertEquals("W1[1,3] (layer 1 weights)", MeanGradient.parameterName(net, 13));
        assertEquals("b1[9] (layer 1 biases)", MeanGradient.parameterName(net, 129));
        assertEquals("W2[9,2] (layer 2 weights)", MeanGradient.parameterName(net, 159));
        assertEquals("b2[0] (layer 2 biases)", MeanGradient.parameterName(net, 160));
    }

    /**
     * A few thousand real MNIST rows: the loss must fall and accuracy must be far above chance (10%). This
     * network reaches 88.5% on the first 1,000 test images after three epochs (measured); 80% leaves room for
     * run-to-run noise while any broken piece (gradient, aggregation, data order, labels) lands near chance.
     */
    @Test
    void realMnistSubsetLowersTheLossAndBeatsChance(@TempDir Path tmp) throws Exception {
        Path dir = Mnist.subset(tmp.resolve("mnist"), 4000, 1000);
        IdxDataset trainSet = IdxDataset.open(SC.hadoopConfiguration(), dir.toString(), IdxDataset.TRAIN);
        IdxDataset testSet = IdxDataset.open(SC.hadoopConfiguration(), dir.toString(), IdxDataset.TEST);
        JavaRDD<RowBlock> train = BlockLoader.load(SC, trainSet, 2, 10, StorageLevel.MEMORY_ONLY());
        JavaRDD<RowBlock> test = BlockLoader.load(SC, testSet, 2, 10, StorageLevel.MEMORY_ONLY());
        Network mlp = new Network(new int[] {784, 64, 10}, Activation.RELU, new SoftmaxCrossEntropy());
        float[] params = mlp.initParams(WeightInit.parse("auto"), 7);
        RoundEngine trainer = trainer(mlp, 0.1, 0.9, 7, STOP);

        double before = trainer.evaluate(train, params).lossSum() / 4000;
        List<Double> losses = new ArrayList<>();
        for (int epoch = 1; epoch <= 3; epoch++) {
            EpochProgress p = new EpochProgress();
            trainer.trainEpoch(train, 4000, 100, epoch, params, p, (e, n, q) -> false);
            losses.add(p.trainLoss());
        }
        Network.Evaluation eval = trainer.evaluate(test, params);
        double accuracy = (double) eval.correct() / eval.count();
        assertTrue(losses.get(0) < before && losses.get(2) < losses.get(0), "losses " + before + " then " + losses);
        assertTrue(accuracy > 0.80, "test accuracy " + accuracy);
        train.unpersist(true);
        test.unpersist(true);
    }

    /**
     * The warm-up's synthetic rounds go through the engine for a classifier and a regressor, synchronous and in
     * local steps, on partitions that split its batch unevenly ({@link WarmUp#run} throws what a round throws).
     */
    @Test
    void warmUpRunsASyntheticRoundForEitherHeadSynchronousOrLocal() throws Exception {
        Network regressor = new Network(new int[] {FEATURES, 10, 1}, Activation.RELU, new MeanSquaredError());
        for (Network network : List.of(net, regressor)) {
            for (int h : new int[] {1, 4}) {
                TrainConfig cfg = TrainConfig.builder().set(TrainOptions.LOCAL_STEPS, h).build();
                WarmUp.run(SC, network, cfg.optimizer(), cfg.rounds(), 3, 32, () -> false);
            }
        }
    }

    /**
     * Once the data has loaded the warm-up ends with the synthetic epoch it is in: with H = 64 it may run 8 epochs
     * of one round each, but told after the first that the data is there, it runs no second; its rows are freed
     * either way.
     */
    @Test
    void warmUpEndsWithItsEpochOnceTheDataHasLoadedAndFreesItsRows() throws Exception {
        TrainConfig cfg = TrainConfig.builder().set(TrainOptions.LOCAL_STEPS, 64).build();
        int persisted = SC.sc().getPersistentRDDs().size();
        String group = "warm-up-" + System.nanoTime();
        int[] asked = {0};
        SC.setJobGroup(group, "warm-up test", false);
        try {
            WarmUp.run(SC, net, cfg.optimizer(), cfg.rounds(), 2, 32, () -> ++asked[0] > 0);
        } finally {
            SC.clearJobGroup();
        }
        assertEquals(1, asked[0], "asked once, after its first epoch");
        assertEquals(1, SC.statusTracker().getJobIdsForGroup(group).length, "one epoch of one round: one job");
        assertEquals(persisted, SC.sc().getPersistentRDDs().size(), "the synthetic rows are unpersisted");

        String all = group + "-all";
        SC.setJobGroup(all, "warm-up test", false);
        try {
            WarmUp.run(SC, net, cfg.optimizer(), cfg.rounds(), 2, 32, () -> false);
        } finally {
            SC.clearJobGroup();
        }
        assertEquals(WarmUp.steps(64) / WarmUp.STEPS_PER_EPOCH, SC.statusTracker().getJobIdsForGroup(all).length,
                "every epoch when the data takes longer");
        assertEquals(persisted, SC.sc().getPersistentRDDs().size(), "the synthetic rows are unpersisted");
    }

    /**
     * With one partition the mean of one is itself, so H local steps per round must give bitwise the weights and
     * optimizer state of H synchronous steps over the same slices, for every optimizer, with a warm-up and cosine
     * schedule; rounds of 3 over 8 steps also end an epoch with a shorter round.
     */
    @Test
    void onOnePartitionLocalStepsEqualSynchronousStepsBitForBitForEveryOptimizer() throws Exception {
        JavaRDD<RowBlock> blocks = split(data, 1);
        for (Optimizer.Kind kind : Optimizer.Kind.values()) {
            float[][] params = new float[2][];
            float[][] state = new float[2][];
            for (int run = 0; run < 2; run++) {
                params[run] = net.initParams(WeightInit.parse("auto"), 1);
                RoundEngine trainer = trainer(net, cosine(kind).set(TrainOptions.LOCAL_STEPS, run == 0 ? 1 : 3).build(),
                        8);
                EpochProgress progress = new EpochProgress();
                for (int epoch = 1; epoch <= 2; epoch++, progress = progress.nextEpoch()) {
                    trainer.trainEpoch(blocks, ROWS, 32, epoch, params[run], progress, (e, n, p) -> false);
                }
                assertEquals(16, progress.globalStep(), kind + ": every step applied");
                state[run] = trainer.state();
            }
            assertArrayEquals(params[0], params[1], kind + ": weights");
            assertArrayEquals(state[0], state[1], kind + ": optimizer state");
        }
        blocks.unpersist(true);
    }

    /**
     * Rounds of local steps still visit every row once per epoch, in the rounds the chunks allow: 8 steps in chunks
     * of 2, 3 and 3 steps make rounds of 2, 2+1 and 2+1 with H = 2. lr 1e-30 keeps the weights, so the epoch's loss sum
     * is the sum over the rows it visited.
     */
    @Test
    void roundsVisitEveryRowOncePerEpochAndStayInsideAChunk() throws Exception {
        float[] params = net.initParams(WeightInit.parse("auto"), 1);
        double allRows = net.evaluate(params, data, net.newWorkspace(ROWS)).lossSum();
        for (int chunks : new int[] {1, 3}) {
            RoundEngine trainer = trainer(net, sgd(1e-30, 0).set(TrainOptions.SEED, 7L).set(TrainOptions.CHUNKS, chunks)
                    .set(TrainOptions.LOCAL_STEPS, 2).build(), 1);
            JavaRDD<RowBlock> blocks = split(data, 2 * chunks);
            List<Integer> roundEnds = new ArrayList<>();
            EpochProgress progress = new EpochProgress();
            trainer.trainEpoch(blocks, ROWS, 32, 2, params, progress, (e, n, p) -> !roundEnds.add(p.nextStep()));
            assertEquals(ROWS, progress.samples(), chunks + " chunks");
            // The same row losses summed in double in another grouping (measured 1.8e-16), as in the first test.
            assertEquals(allRows, progress.lossSum(), 1e-6 * allRows, chunks + " chunks: each row's loss once");
            assertEquals(chunks == 1 ? List.of(2, 4, 6, 8) : List.of(2, 4, 5, 7, 8), roundEnds, chunks + " chunks");
            assertEquals(roundEnds.size(), new RoundPlan(8, chunks, 2).rounds());
            assertEquals(8, progress.globalStep());
            blocks.unpersist(true);
        }
    }

    /**
     * Local SGD on 4,000 real MNIST rows with every optimizer, 4 partitions, rounds of 5 local steps: the loss must
     * fall and accuracy must be far above chance. Measured after 2 epochs on the first 1,000 test images: 87-90%
     * depending on the optimizer; 75% leaves room while a broken average (a dropped partition, weights not
     * divided by the sample count) lands near chance or diverges.
     */
    @Test
    void localStepsOnRealMnistLowerTheLossForEveryOptimizer(@TempDir Path tmp) throws Exception {
        Path dir = Mnist.subset(tmp.resolve("mnist"), 4000, 1000);
        JavaRDD<RowBlock> train = BlockLoader.load(SC, IdxDataset.open(SC.hadoopConfiguration(), dir.toString(),
                IdxDataset.TRAIN), 4, 10, StorageLevel.MEMORY_ONLY());
        JavaRDD<RowBlock> test = BlockLoader.load(SC, IdxDataset.open(SC.hadoopConfiguration(), dir.toString(),
                IdxDataset.TEST), 2, 10, StorageLevel.MEMORY_ONLY());
        Network mlp = new Network(new int[] {784, 64, 10}, Activation.RELU, new SoftmaxCrossEntropy());
        for (Optimizer.Kind kind : Optimizer.Kind.values()) {
            float[] params = mlp.initParams(WeightInit.parse("auto"), 7);
            RoundEngine trainer = trainer(mlp, cosine(kind).set(TrainOptions.LOCAL_STEPS, 5).build(), 40);
            double before = trainer.evaluate(train, params).lossSum() / 4000;
            EpochProgress progress = new EpochProgress();
            List<Double> losses = new ArrayList<>();
            for (int epoch = 1; epoch <= 2; epoch++, progress = progress.nextEpoch()) {
                trainer.trainEpoch(train, 4000, 100, epoch, params, progress, (e, n, p) -> false);
                losses.add(progress.trainLoss());
            }
            Network.Evaluation eval = trainer.evaluate(test, params);
            assertTrue(losses.get(0) < before && losses.get(1) < losses.get(0), kind + ": losses " + before + " then "
                    + losses);
            assertTrue(eval.accuracy() > 0.75, kind + ": test accuracy " + eval.accuracy());
        }
        train.unpersist(true);
        test.unpersist(true);
    }

    /** Outer momentum and the outer learning rate move the weights past the plain average; its buffer is state. */
    @Test
    void outerMomentumChangesTheWeightsAndIsPartOfTheState() throws Exception {
        JavaRDD<RowBlock> blocks = split(data, 2);
        float[][] params = new float[2][];
        TrainConfig[] configs = {
            cosine(Optimizer.Kind.SGD).set(TrainOptions.LOCAL_STEPS, 4).build(),
            cosine(Optimizer.Kind.SGD).set(TrainOptions.LOCAL_STEPS, 4).set(TrainOptions.OUTER_LR, 0.7)
                    .set(TrainOptions.OUTER_MOMENTUM, 0.9).set(TrainOptions.OUTER_NESTEROV, true).build()};
        RoundEngine[] trainers = new RoundEngine[2];
        for (int run = 0; run < 2; run++) {
            params[run] = net.initParams(WeightInit.parse("auto"), 1);
            trainers[run] = trainer(net, configs[run], 8);
            EpochProgress progress = new EpochProgress();
            for (int epoch = 1; epoch <= 2; epoch++, progress = progress.nextEpoch()) {
                trainers[run].trainEpoch(blocks, ROWS, 32, epoch, params[run], progress, (e, n, p) -> false);
            }
        }
        assertNotEquals(Arrays.toString(params[0]), Arrays.toString(params[1]));
        int inner = Optimizer.create(configs[0].optimizer(), net.numParams()).state().length;
        assertEquals(inner, trainers[0].state().length);
        assertEquals(inner + net.numParams(), trainers[1].state().length);
        blocks.unpersist(true);
    }

    @Test
    void divergenceInALocalStepNamesTheRoundThePartitionAndTheParameter() {
        Network linear = new Network(new int[] {FEATURES, CLASSES}, Activation.IDENTITY, new MeanSquaredError());
        float[] params = linear.initParams(WeightInit.parse("auto"), 1);
        RoundEngine trainer = trainer(linear, sgd(1e4, 0).set(TrainOptions.SEED, 3L).set(TrainOptions.LOCAL_STEPS, 4)
                .build(), 1);
        JavaRDD<RowBlock> blocks = split(data, 2);
        DivergedException e = assertThrows(DivergedException.class, () -> {
            for (int epoch = 1; epoch <= 50; epoch++) {
                runEpoch(trainer, blocks, 32, epoch, params, new ArrayList<>());
            }
        });
        assertTrue(e.getMessage().matches("training diverged at epoch \\d+ steps \\d+-\\d+: partition [01], local step "
                + "[1-4]: (loss sum is .*|gradient of [Wb]1\\[.*|the update made [Wb]1\\[.*) \\(try a smaller --lr, "
                + "such as 1000, or --on-divergence skip\\)"), e.getMessage());
        blocks.unpersist(true);
    }

    /**
     * SGD with momentum 0.9, or Adam, at a learning rate that suits each, a cosine schedule with a warm-up of 3 over 2
     * epochs, seed 5; the caller sets the rounds.
     */
    private static TrainConfig.Builder cosine(Optimizer.Kind kind) {
        boolean adam = kind == Optimizer.Kind.ADAM || kind == Optimizer.Kind.ADAMW;
        return TrainConfig.builder().set(TrainOptions.OPTIMIZER, kind.toString())
                .set(TrainOptions.LR, adam ? 0.005 : 0.05).set(TrainOptions.MOMENTUM, 0.9)
                .set(TrainOptions.BETA1, 0.9).set(TrainOptions.BETA2, 0.999).set(TrainOptions.EPS, 1e-8)
                .set(TrainOptions.WEIGHT_DECAY, kind == Optimizer.Kind.ADAMW ? 0.01 : 0.0)
                .set(TrainOptions.SCHEDULE, "cosine").set(TrainOptions.WARMUP_STEPS, 3).set(TrainOptions.EPOCHS, 2)
                .set(TrainOptions.SEED, 5L);
    }

    /** Synchronous SGD (one step per round) at a constant {@code lr}. */
    private static TrainConfig.Builder sgd(double lr, double momentum) {
        return TrainConfig.builder().set(TrainOptions.OPTIMIZER, "sgd").set(TrainOptions.LR, lr)
                .set(TrainOptions.MOMENTUM, momentum).set(TrainOptions.SCHEDULE, "constant")
                .set(TrainOptions.LOCAL_STEPS, 1);
    }

    private static RoundEngine trainer(Network network, double lr, double momentum, long seed,
                                   TrainConfig.OnDivergence policy) {
        return trainer(network, sgd(lr, momentum).set(TrainOptions.SEED, seed)
                .set(TrainOptions.ON_DIVERGENCE, policy.toString()).build(), 1);
    }

    /** A trainer with {@code cfg}'s optimizer, schedule, seed, divergence policy, chunks and rounds, as a run's. */
    private static RoundEngine trainer(Network network, TrainConfig cfg, int stepsPerEpoch) {
        Schedule schedule = cfg.schedule().build(cfg.optimizer().lr(), stepsPerEpoch, cfg.epochs());
        return new RoundEngine(SC, network, cfg.optimizer(), schedule, cfg.seed(), cfg.onDivergence(), cfg.chunks(),
                cfg.rounds());
    }

    /** One epoch from its first step; appends each step's sample count to {@code batches}. */
    private static EpochProgress runEpoch(RoundEngine trainer, JavaRDD<RowBlock> blocks, int batchSize, int epoch,
                                          float[] params, List<Long> batches) throws java.io.IOException {
        EpochProgress progress = new EpochProgress();
        long[] seen = {0};
        trainer.trainEpoch(blocks, ROWS, batchSize, epoch, params, progress, (e, n, p) -> {
            batches.add(p.samples - seen[0]);
            seen[0] = p.samples;
            return false;
        });
        return progress;
    }

    /** Contiguous slices of {@code all}, one per partition, cached. */
    private static JavaRDD<RowBlock> split(RowBlock all, int partitions) {
        return SC.parallelize(all.split(partitions), partitions).cache();
    }

    /** Class-dependent means plus N(0,1) noise: learnable, not trivially separable. */
    private static RowBlock synthetic(int rows, long seed) {
        Random random = new Random(seed);
        float[] x = new float[rows * FEATURES];
        int[] labels = new int[rows];
        for (int r = 0; r < rows; r++) {
            labels[r] = random.nextInt(CLASSES);
            for (int j = 0; j < FEATURES; j++) {
                x[r * FEATURES + j] = (float) (random.nextGaussian() + (j % CLASSES == labels[r] ? 1.0 : 0.0));
            }
        }
        return new RowBlock(rows, FEATURES, x, labels);
    }

    private static int[] identity(int n) {
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        return order;
    }
}
