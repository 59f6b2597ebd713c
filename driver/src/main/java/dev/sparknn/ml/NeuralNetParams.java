package dev.sparknn.ml;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
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

    /**
     * Sets {@code param} to {@code value}, parsed and checked by its option's declaration
     * ({@link NeuralNetParamSet#checked}).
     */
    @SuppressWarnings("unchecked")
    private <V> T checkedSet(Param<V> param, V value) {
        set(param, NeuralNetParamSet.checked(param.name(), value));
        return (T) this;
    }

    default Param<String> layers() {
        return nn().param("layers");
    }

    /** The network as spelt, e.g. {@code 784,512,10} or {@code 1x28x28,conv:30:5,relu,maxpool:2,affine:10}. */
    default String getLayers() {
        return getOrDefault(layers());
    }

    /** The network as spelt ({@link dev.sparknn.ops.LayerSpelling}), checked as the command line's --layers. */
    default T setLayers(String value) {
        return checkedSet(layers(), value);
    }

    /** A perceptron of these widths, input first, e.g. {@code setLayers(784, 512, 10)}. */
    default T setLayers(int... widths) {
        return setLayers(java.util.Arrays.stream(widths).mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining(",")));
    }

    default Param<String> activation() {
        return nn().param("activation");
    }

    default String getActivation() {
        return (String) getOrDefault(activation());
    }

    default T setActivation(String value) {
        return checkedSet(activation(), value);
    }

    default Param<String> init() {
        return nn().param("init");
    }

    default String getInit() {
        return (String) getOrDefault(init());
    }

    default T setInit(String value) {
        return checkedSet(init(), value);
    }

    default IntParam epochs() {
        return nn().param("epochs");
    }

    default int getEpochs() {
        return (Integer) getOrDefault(epochs());
    }

    default T setEpochs(int value) {
        return checkedSet(epochs(), value);
    }

    default IntParam batchSize() {
        return nn().param("batchSize");
    }

    default int getBatchSize() {
        return (Integer) getOrDefault(batchSize());
    }

    default T setBatchSize(int value) {
        return checkedSet(batchSize(), value);
    }

    default Param<String> optimizer() {
        return nn().param("optimizer");
    }

    default String getOptimizer() {
        return (String) getOrDefault(optimizer());
    }

    default T setOptimizer(String value) {
        return checkedSet(optimizer(), value);
    }

    default DoubleParam stepSize() {
        return nn().param("stepSize");
    }

    default double getStepSize() {
        return (Double) getOrDefault(stepSize());
    }

    default T setStepSize(double value) {
        return checkedSet(stepSize(), value);
    }

    default DoubleParam momentum() {
        return nn().param("momentum");
    }

    default double getMomentum() {
        return (Double) getOrDefault(momentum());
    }

    default T setMomentum(double value) {
        return checkedSet(momentum(), value);
    }

    default DoubleParam beta1() {
        return nn().param("beta1");
    }

    default double getBeta1() {
        return (Double) getOrDefault(beta1());
    }

    default T setBeta1(double value) {
        return checkedSet(beta1(), value);
    }

    default DoubleParam beta2() {
        return nn().param("beta2");
    }

    default double getBeta2() {
        return (Double) getOrDefault(beta2());
    }

    default T setBeta2(double value) {
        return checkedSet(beta2(), value);
    }

    default DoubleParam eps() {
        return nn().param("eps");
    }

    default double getEps() {
        return (Double) getOrDefault(eps());
    }

    default T setEps(double value) {
        return checkedSet(eps(), value);
    }

    default DoubleParam weightDecay() {
        return nn().param("weightDecay");
    }

    default double getWeightDecay() {
        return (Double) getOrDefault(weightDecay());
    }

    default T setWeightDecay(double value) {
        return checkedSet(weightDecay(), value);
    }

    default DoubleParam clipNorm() {
        return nn().param("clipNorm");
    }

    default double getClipNorm() {
        return (Double) getOrDefault(clipNorm());
    }

    default T setClipNorm(double value) {
        return checkedSet(clipNorm(), value);
    }

    default Param<String> schedule() {
        return nn().param("schedule");
    }

    default String getSchedule() {
        return (String) getOrDefault(schedule());
    }

    default T setSchedule(String value) {
        return checkedSet(schedule(), value);
    }

    default IntParam warmupSteps() {
        return nn().param("warmupSteps");
    }

    default int getWarmupSteps() {
        return (Integer) getOrDefault(warmupSteps());
    }

    default T setWarmupSteps(int value) {
        return checkedSet(warmupSteps(), value);
    }

    default IntParam decayEvery() {
        return nn().param("decayEvery");
    }

    default int getDecayEvery() {
        return (Integer) getOrDefault(decayEvery());
    }

    default T setDecayEvery(int value) {
        return checkedSet(decayEvery(), value);
    }

    default DoubleParam decayFactor() {
        return nn().param("decayFactor");
    }

    default double getDecayFactor() {
        return (Double) getOrDefault(decayFactor());
    }

    default T setDecayFactor(double value) {
        return checkedSet(decayFactor(), value);
    }

    default IntParam localSteps() {
        return nn().param("localSteps");
    }

    default int getLocalSteps() {
        return (Integer) getOrDefault(localSteps());
    }

    default T setLocalSteps(int value) {
        return checkedSet(localSteps(), value);
    }

    default DoubleParam outerLr() {
        return nn().param("outerLr");
    }

    default double getOuterLr() {
        return (Double) getOrDefault(outerLr());
    }

    default T setOuterLr(double value) {
        return checkedSet(outerLr(), value);
    }

    default DoubleParam outerMomentum() {
        return nn().param("outerMomentum");
    }

    default double getOuterMomentum() {
        return (Double) getOrDefault(outerMomentum());
    }

    default T setOuterMomentum(double value) {
        return checkedSet(outerMomentum(), value);
    }

    default BooleanParam outerNesterov() {
        return nn().param("outerNesterov");
    }

    default boolean getOuterNesterov() {
        return (Boolean) getOrDefault(outerNesterov());
    }

    default T setOuterNesterov(boolean value) {
        return checkedSet(outerNesterov(), value);
    }

    default LongParam seed() {
        return nn().param("seed");
    }

    default long getSeed() {
        return (Long) getOrDefault(seed());
    }

    default T setSeed(long value) {
        return checkedSet(seed(), value);
    }

    default Param<String> standardize() {
        return nn().param("standardize");
    }

    default String getStandardize() {
        return (String) getOrDefault(standardize());
    }

    /** {@code "auto"} (the default: a DataFrame is a table, so standardised), {@code "true"} or {@code "false"}. */
    default T setStandardize(String value) {
        return checkedSet(standardize(), value);
    }

    /** {@code setStandardize("true")} or {@code ("false")}. */
    default T setStandardize(boolean value) {
        return setStandardize(Boolean.toString(value));
    }

    default IntParam numPartitions() {
        return nn().param("numPartitions");
    }

    default int getNumPartitions() {
        return (Integer) getOrDefault(numPartitions());
    }

    default T setNumPartitions(int value) {
        return checkedSet(numPartitions(), value);
    }

    default Param<String> onDivergence() {
        return nn().param("onDivergence");
    }

    default String getOnDivergence() {
        return (String) getOrDefault(onDivergence());
    }

    default T setOnDivergence(String value) {
        return checkedSet(onDivergence(), value);
    }

    default Param<String> weightCol() {
        return nn().param("weightCol");
    }

    /** The column's name; empty when unset. */
    default String getWeightCol() {
        return isDefined(weightCol()) ? (String) getOrDefault(weightCol()) : "";
    }

    default T setWeightCol(String value) {
        return checkedSet(weightCol(), value);
    }

    default Param<String> validationIndicatorCol() {
        return nn().param("validationIndicatorCol");
    }

    /** The column's name; empty when unset. */
    default String getValidationIndicatorCol() {
        return isDefined(validationIndicatorCol()) ? (String) getOrDefault(validationIndicatorCol()) : "";
    }

    default T setValidationIndicatorCol(String value) {
        return checkedSet(validationIndicatorCol(), value);
    }
}
