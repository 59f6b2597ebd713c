package dev.sparknn.ml;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The training Params shared by the estimators and their models (a model carries the values it was trained with):
 * for each option of {@link NeuralNetParamSet#OPTIONS}, the {@code Param} ({@code epochs()}), its value
 * ({@code getEpochs()}) and a fluent setter ({@code setEpochs(int)}). Types, defaults, docs and checks are the command
 * line's ({@link NeuralNetParamSet}): a setter refuses an out-of-range value at once, and values set another way
 * (a {@code ParamMap} from {@code ParamGridBuilder}, say) are checked with the other options when the stage is
 * fitted ({@code transformSchema}, which {@code Pipeline} and {@code fit} call first), with the command line's message
 * in Param names ({@code stepSize must be a positive finite number, got -1.0}).
 *
 * @param <T> the stage, returned by the setters
 */
public interface NeuralNetParams<T extends NeuralNetParams<T>> extends Params {

    /** This stage's Params, created on first use (see {@link NeuralNetParamSet}). */
    NeuralNetParamSet nn();

    @SuppressWarnings("unchecked")
    private T self() {
        return (T) this;
    }

    default IntArrayParam layers() {
        return nn().layers;
    }

    default int[] getLayers() {
        return (int[]) getOrDefault(layers());
    }

    default T setLayers(int... value) {
        set(layers(), NeuralNetParamSet.checked("layers", value));
        return self();
    }

    default Param<String> activation() {
        return nn().activation;
    }

    default String getActivation() {
        return (String) getOrDefault(activation());
    }

    default T setActivation(String value) {
        set(activation(), NeuralNetParamSet.checked("activation", value));
        return self();
    }

    default Param<String> init() {
        return nn().init;
    }

    default String getInit() {
        return (String) getOrDefault(init());
    }

    default T setInit(String value) {
        set(init(), NeuralNetParamSet.checked("init", value));
        return self();
    }

    default IntParam epochs() {
        return nn().epochs;
    }

    default int getEpochs() {
        return (Integer) getOrDefault(epochs());
    }

    default T setEpochs(int value) {
        set(epochs(), NeuralNetParamSet.checked("epochs", value));
        return self();
    }

    default IntParam batchSize() {
        return nn().batchSize;
    }

    default int getBatchSize() {
        return (Integer) getOrDefault(batchSize());
    }

    default T setBatchSize(int value) {
        set(batchSize(), NeuralNetParamSet.checked("batchSize", value));
        return self();
    }

    default Param<String> optimizer() {
        return nn().optimizer;
    }

    default String getOptimizer() {
        return (String) getOrDefault(optimizer());
    }

    default T setOptimizer(String value) {
        set(optimizer(), NeuralNetParamSet.checked("optimizer", value));
        return self();
    }

    default DoubleParam stepSize() {
        return nn().stepSize;
    }

    default double getStepSize() {
        return (Double) getOrDefault(stepSize());
    }

    default T setStepSize(double value) {
        set(stepSize(), NeuralNetParamSet.checked("stepSize", value));
        return self();
    }

    default DoubleParam momentum() {
        return nn().momentum;
    }

    default double getMomentum() {
        return (Double) getOrDefault(momentum());
    }

    default T setMomentum(double value) {
        set(momentum(), NeuralNetParamSet.checked("momentum", value));
        return self();
    }

    default DoubleParam beta1() {
        return nn().beta1;
    }

    default double getBeta1() {
        return (Double) getOrDefault(beta1());
    }

    default T setBeta1(double value) {
        set(beta1(), NeuralNetParamSet.checked("beta1", value));
        return self();
    }

    default DoubleParam beta2() {
        return nn().beta2;
    }

    default double getBeta2() {
        return (Double) getOrDefault(beta2());
    }

    default T setBeta2(double value) {
        set(beta2(), NeuralNetParamSet.checked("beta2", value));
        return self();
    }

    default DoubleParam eps() {
        return nn().eps;
    }

    default double getEps() {
        return (Double) getOrDefault(eps());
    }

    default T setEps(double value) {
        set(eps(), NeuralNetParamSet.checked("eps", value));
        return self();
    }

    default DoubleParam weightDecay() {
        return nn().weightDecay;
    }

    default double getWeightDecay() {
        return (Double) getOrDefault(weightDecay());
    }

    default T setWeightDecay(double value) {
        set(weightDecay(), NeuralNetParamSet.checked("weightDecay", value));
        return self();
    }

    default DoubleParam clipNorm() {
        return nn().clipNorm;
    }

    default double getClipNorm() {
        return (Double) getOrDefault(clipNorm());
    }

    default T setClipNorm(double value) {
        set(clipNorm(), NeuralNetParamSet.checked("clipNorm", value));
        return self();
    }

    default Param<String> schedule() {
        return nn().schedule;
    }

    default String getSchedule() {
        return (String) getOrDefault(schedule());
    }

    default T setSchedule(String value) {
        set(schedule(), NeuralNetParamSet.checked("schedule", value));
        return self();
    }

    default IntParam warmupSteps() {
        return nn().warmupSteps;
    }

    default int getWarmupSteps() {
        return (Integer) getOrDefault(warmupSteps());
    }

    default T setWarmupSteps(int value) {
        set(warmupSteps(), NeuralNetParamSet.checked("warmupSteps", value));
        return self();
    }

    default IntParam decayEvery() {
        return nn().decayEvery;
    }

    default int getDecayEvery() {
        return (Integer) getOrDefault(decayEvery());
    }

    default T setDecayEvery(int value) {
        set(decayEvery(), NeuralNetParamSet.checked("decayEvery", value));
        return self();
    }

    default DoubleParam decayFactor() {
        return nn().decayFactor;
    }

    default double getDecayFactor() {
        return (Double) getOrDefault(decayFactor());
    }

    default T setDecayFactor(double value) {
        set(decayFactor(), NeuralNetParamSet.checked("decayFactor", value));
        return self();
    }

    default IntParam localSteps() {
        return nn().localSteps;
    }

    default int getLocalSteps() {
        return (Integer) getOrDefault(localSteps());
    }

    default T setLocalSteps(int value) {
        set(localSteps(), NeuralNetParamSet.checked("localSteps", value));
        return self();
    }

    default DoubleParam outerLr() {
        return nn().outerLr;
    }

    default double getOuterLr() {
        return (Double) getOrDefault(outerLr());
    }

    default T setOuterLr(double value) {
        set(outerLr(), NeuralNetParamSet.checked("outerLr", value));
        return self();
    }

    default DoubleParam outerMomentum() {
        return nn().outerMomentum;
    }

    default double getOuterMomentum() {
        return (Double) getOrDefault(outerMomentum());
    }

    default T setOuterMomentum(double value) {
        set(outerMomentum(), NeuralNetParamSet.checked("outerMomentum", value));
        return self();
    }

    default BooleanParam outerNesterov() {
        return nn().outerNesterov;
    }

    default boolean getOuterNesterov() {
        return (Boolean) getOrDefault(outerNesterov());
    }

    default T setOuterNesterov(boolean value) {
        set(outerNesterov(), NeuralNetParamSet.checked("outerNesterov", value));
        return self();
    }

    default LongParam seed() {
        return nn().seed;
    }

    default long getSeed() {
        return (Long) getOrDefault(seed());
    }

    default T setSeed(long value) {
        set(seed(), NeuralNetParamSet.checked("seed", value));
        return self();
    }

    default Param<String> standardize() {
        return nn().standardize;
    }

    default String getStandardize() {
        return (String) getOrDefault(standardize());
    }

    /** {@code "auto"} (the default: a DataFrame is a table, so standardised), {@code "true"} or {@code "false"}. */
    default T setStandardize(String value) {
        set(standardize(), NeuralNetParamSet.checked("standardize", value));
        return self();
    }

    /** {@code setStandardize("true")} or {@code ("false")}. */
    default T setStandardize(boolean value) {
        return setStandardize(Boolean.toString(value));
    }

    default IntParam numPartitions() {
        return nn().numPartitions;
    }

    default int getNumPartitions() {
        return (Integer) getOrDefault(numPartitions());
    }

    default T setNumPartitions(int value) {
        set(numPartitions(), NeuralNetParamSet.checked("numPartitions", value));
        return self();
    }

    default Param<String> onDivergence() {
        return nn().onDivergence;
    }

    default String getOnDivergence() {
        return (String) getOrDefault(onDivergence());
    }

    default T setOnDivergence(String value) {
        set(onDivergence(), NeuralNetParamSet.checked("onDivergence", value));
        return self();
    }

    default Param<String> weightCol() {
        return nn().weightCol;
    }

    /** The column's name; empty when unset. */
    default String getWeightCol() {
        return isDefined(weightCol()) ? (String) getOrDefault(weightCol()) : "";
    }

    default T setWeightCol(String value) {
        set(weightCol(), NeuralNetParamSet.checked("weightCol", value));
        return self();
    }

    default Param<String> validationIndicatorCol() {
        return nn().validationIndicatorCol;
    }

    /** The column's name; empty when unset. */
    default String getValidationIndicatorCol() {
        return isDefined(validationIndicatorCol()) ? (String) getOrDefault(validationIndicatorCol()) : "";
    }

    default T setValidationIndicatorCol(String value) {
        set(validationIndicatorCol(), NeuralNetParamSet.checked("validationIndicatorCol", value));
        return self();
    }
}
