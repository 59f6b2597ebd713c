package dev.sparknn.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.train.TrainOption;
import dev.sparknn.train.TrainOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The Params' values parsed and checked by the options' declarations, in Param names; no Spark session. */
class NeuralNetParamsTest {

    private static final StructType SCHEMA = new StructType().add("features", SQLDataTypes.VectorType())
            .add("label", DataTypes.DoubleType);

    private static String refused(Executable setting) {
        return assertThrows(IllegalArgumentException.class, setting).getMessage();
    }

    @Test
    void aSetterRefusesABadValueAtOnceNamingTheParam() {
        NeuralNetClassifier nn = new NeuralNetClassifier();
        Map<String, Executable> bad = new LinkedHashMap<>();
        bad.put("epochs must be at least 1, got 0", () -> nn.setEpochs(0));
        bad.put("stepSize must be a positive finite number, got -1.0", () -> nn.setStepSize(-1));
        bad.put("layers: needs at least an input and an output size, got '784'", () -> nn.setLayers(784));
        bad.put("layers: token 3 'maxpool:30': a 30x30 window does not fit an input of [channels, height, width] = "
                + "30x24x24", () -> nn.setLayers("1x28x28,conv:30:5,maxpool:30,affine:10"));
        bad.put("optimizer: unknown optimizer 'rmsprop' (expected sgd, nesterov, adam or adamw)",
                () -> nn.setOptimizer("rmsprop"));
        bad.put("localSteps must be in [1, 1000000], got 0", () -> new NeuralNetRegressor().setLocalSteps(0));
        bad.put("numPartitions must be in [0, 100000] (0 takes the DataFrame's count), got -1",
                () -> nn.setNumPartitions(-1));
        bad.forEach((message, setting) -> assertEquals(message, refused(setting)));
        assertEquals(5, nn.getEpochs(), "a refused value is not set");
        assertEquals("adam", nn.setOptimizer(" Adam ").getOptimizer(), "a name is held in its canonical form");
    }

    /** A value from a ParamMap bypasses the setter; fitting checks it, and the rules between options. */
    @Test
    void aParamMapValueIsCheckedWhenTheStageIsFitted() {
        NeuralNetClassifier nn = new NeuralNetClassifier().setLayers(2, 3);
        NeuralNetClassifier bad = nn.copy(new ParamMap().put(nn.momentum().w(1.0)));
        assertEquals("momentum must be in [0, 1), got 1.0", refused(() -> bad.transformSchema(SCHEMA)));
        NeuralNetClassifier nesterov = nn.copy(ParamMap.empty()).setOptimizer("nesterov").setMomentum(0);
        assertEquals("optimizer nesterov needs momentum > 0", refused(() -> nesterov.transformSchema(SCHEMA)));
        NeuralNetClassifier partitions = nn.copy(new ParamMap().put(nn.numPartitions().w(100_001)));
        assertEquals("numPartitions must be in [0, 100000] (0 takes the DataFrame's count), got 100001",
                refused(() -> partitions.transformSchema(SCHEMA)));
        assertEquals("layers must end with 1 output for a regressor, got 3",
                refused(() -> new NeuralNetRegressor().setLayers(2, 3).transformSchema(SCHEMA)));
        // Standardised features fold only into a first affine layer: refused before any training, not after it.
        assertEquals("standardize true needs a network that starts with an affine layer, which the saved model folds "
                + "the transform into; layers starts with conv:4:5:1:0 (use standardize auto or false)",
                refused(() -> new NeuralNetClassifier().setLayers("1x28x28,conv:4:5,affine:10").setStandardize("true")
                        .transformSchema(SCHEMA)));
    }

    /** The README names exactly the training options that are not Params. */
    @Test
    void theReadmeNamesEveryOptionThatIsNotAParam() throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("sparknn.repo"), "README.md"));
        Matcher m = Pattern.compile("The other options are not Params: ([^\n]*)").matcher(readme);
        assertTrue(m.find(), "README: no list of the options that are not Params");
        Set<String> named = new TreeSet<>();
        Matcher flag = Pattern.compile("`(--[a-z0-9-]+)").matcher(m.group(1));
        while (flag.find()) {
            named.add(flag.group(1));
        }
        Set<TrainOption<?>> params = NeuralNetParamSet.OPTIONS.stream().map(NeuralNetParamSet.Option::option)
                .collect(Collectors.toSet());
        Set<String> others = TrainOptions.ALL.stream().filter(o -> !params.contains(o)).map(TrainOption::flag)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(others, named);
    }
}
