package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.ops.Network;
import dev.sparknn.train.DataConfig;
import dev.sparknn.train.DataConfig.Format;
import dev.sparknn.train.DataConfig.Standardize;
import dev.sparknn.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --standardize [auto|true|false]} from the defaults, a --config file and the command line, without Spark. */
class StandardizeOptionTest {

    @TempDir
    Path tmp;

    private static TrainConfig parse(Path configFile, String... args) throws IOException {
        return OptionLayersTest.parse(configFile == null ? null : configFile.toString(), args);
    }

    @Test
    void autoByDefaultTrueAloneOrByNameFalseByName() throws Exception {
        assertEquals(Standardize.AUTO, parse(null).data().standardize());
        assertEquals(Standardize.TRUE, parse(null, "--standardize").data().standardize());
        TrainConfig beforeAnother = parse(null, "--standardize", "--epochs", "2");
        assertEquals(Standardize.TRUE, beforeAnother.data().standardize(), "alone, it takes no value from the next option");
        assertEquals(2, beforeAnother.epochs());
        assertEquals(Standardize.TRUE, parse(null, "--standardize", "true").data().standardize());
        assertEquals(Standardize.FALSE, parse(null, "--standardize", "false").data().standardize());
        assertEquals(Standardize.FALSE, parse(null, "--standardize=FALSE").data().standardize());
        assertEquals(Standardize.AUTO, parse(null, "--standardize=auto").data().standardize());
    }

    @Test
    void configFilesWithBooleansKeepWorkingAndTheCommandLineWins() throws Exception {
        Path conf = tmp.resolve("old.conf");
        Files.writeString(conf, "standardize = true\n");
        assertEquals(Standardize.TRUE, parse(conf).data().standardize());
        assertEquals(Standardize.FALSE, parse(conf, "--standardize", "false").data().standardize());
        Files.writeString(conf, "standardize = false\n");
        assertEquals(Standardize.FALSE, parse(conf).data().standardize());
        Files.writeString(conf, "standardize = auto\n");
        assertEquals(Standardize.AUTO, parse(conf).data().standardize());
        // Each run's config.conf writes the value as a string.
        Files.writeString(conf, "standardize = \"true\"\n");
        assertEquals(Standardize.TRUE, parse(conf).data().standardize());
    }

    @Test
    void anotherValueIsRefusedNamingTheOption() {
        TrainConfig.ConfigException e = assertThrows(TrainConfig.ConfigException.class,
                () -> parse(null, "--standardize", "sometimes"));
        assertTrue(e.getMessage().startsWith("--standardize: ") && e.getMessage().contains("'sometimes'")
                && e.getMessage().contains("auto, true or false"), e.getMessage());
    }

    @Test
    void theCheckpointIdentityRecordsIt() throws Exception {
        assertEquals("auto", parse(null).identity().get("standardize"));
        assertEquals("true", parse(null, "--standardize").identity().get("standardize"));
        assertEquals("false", parse(null, "--standardize", "false").identity().get("standardize"));
    }

    @Test
    void autoStandardisesTablesButNotIdxImages() throws Exception {
        Network mlp = parse(null).network();
        assertFalse(Standardize.AUTO.appliesTo(Format.IDX, mlp));
        assertTrue(Standardize.AUTO.appliesTo(Format.CSV, mlp));
        assertTrue(Standardize.AUTO.appliesTo(Format.PARQUET, mlp));
        for (Format f : new Format[] {Format.IDX, Format.CSV, Format.PARQUET}) {
            assertTrue(Standardize.TRUE.appliesTo(f, mlp), f::toString);
            assertFalse(Standardize.FALSE.appliesTo(f, mlp), f::toString);
        }
        assertEquals(Standardize.TRUE, DataConfig.Standardize.parse("True"));
    }

    /**
     * Standardised features are folded into the saved model's first layer, which only an affine one can take: auto
     * leaves a convolutional network's table alone, and true is refused before any training, naming the layer.
     */
    @Test
    void aNetworkThatStartsWithAnotherLayerThanAffineIsNotStandardised() throws Exception {
        Network cnn = parse(null, "--layers", "1x28x28,conv:30:5,relu,affine:10").network();
        for (Format f : new Format[] {Format.IDX, Format.CSV, Format.PARQUET}) {
            assertFalse(Standardize.AUTO.appliesTo(f, cnn), f::toString);
        }
        assertTrue(Standardize.AUTO.appliesTo(Format.CSV, parse(null, "--layers", "1x28x28,affine:10").network()),
                "an explicit list that starts with affine");
        TrainConfig.ConfigException e = assertThrows(TrainConfig.ConfigException.class,
                () -> parse(null, "--layers", "1x28x28,conv:30:5,relu,affine:10", "--standardize", "true"));
        assertEquals("--standardize true needs a network that starts with an affine layer, which the saved model folds "
                + "the transform into; --layers starts with conv:30:5:1:0 (use --standardize auto or false)",
                e.getMessage());
    }
}
