package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The layers of defaults: the declarations, a --config file over them, the command line over both. */
class TrainDefaultsTest {

    @TempDir
    Path tmp;

    private static TrainConfig parse(String configFile, String... args) {
        TrainCommand command = new TrainCommand();
        CommandLine cli = new CommandLine(command);
        cli.setDefaultValueProvider(TrainDefaults.withConfigFile(configFile));
        cli.parseArgs(args);
        return command.config("20260101-000000");
    }

    @Test
    void aConfigFileLayersOverTheDeclarationsAndTheCommandLineWins() throws Exception {
        Path conf = tmp.resolve("run.conf");
        Files.writeString(conf, "epochs = 2\nlayers = [784, 64, 10]\noverwrite = yes\nbatch-size = 1e3\n");
        TrainConfig fromFile = parse(conf.toString());
        assertEquals(2, fromFile.epochs());
        assertEquals("784,64,10", fromFile.identity().get("layers"));
        assertTrue(fromFile.overwrite());
        assertEquals(1000, fromFile.batchSize());
        assertEquals(0.1, fromFile.optimizer().lr(), "not in the file: the declared default");
        assertEquals(3, parse(conf.toString(), "--epochs", "3").epochs());
    }

    @Test
    void aKeyThatNamesNoOptionIsRefusedByNameAndLine() throws Exception {
        Path conf = tmp.resolve("typo.conf");
        Files.writeString(conf, "epochs = 2\nlearning-rate = 0.1\n");
        TrainConfig.ConfigException e = assertThrows(TrainConfig.ConfigException.class,
                () -> TrainDefaults.withConfigFile(conf.toString()));
        assertTrue(e.getMessage().contains("--config " + conf + " line 2: unknown key 'learning-rate'")
                && e.getMessage().contains("known keys: [") && e.getMessage().contains("lr"), e.getMessage());
    }

    /** A near miss gets the command line's "did you mean", with the key as the file spells keys. */
    @Test
    void aMistypedKeyGetsADidYouMean() throws Exception {
        Path conf = tmp.resolve("near.conf");
        Files.writeString(conf, "lrr = 0.1\n");
        TrainConfig.ConfigException e = assertThrows(TrainConfig.ConfigException.class,
                () -> TrainDefaults.withConfigFile(conf.toString()));
        assertTrue(e.getMessage().contains("line 1: unknown key 'lrr'; did you mean 'lr'"), e.getMessage());
    }
}
