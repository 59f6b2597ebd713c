package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.train.TrainConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The layers of defaults: the declarations, a --config file over them, the command line over both. */
class OptionLayersTest {

    @TempDir
    Path tmp;

    /** The options of a train command line over {@code configFile} (null for none), as a run would resolve them. */
    static TrainConfig parse(String configFile, String... args) throws IOException {
        TrainCommand command = new TrainCommand();
        List<String> all = new ArrayList<>(List.of(args));
        if (configFile != null) {
            all.addAll(List.of("--config", configFile));
        }
        new CommandLine(command).parseArgs(all.toArray(String[]::new));
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
                () -> parse(conf.toString()));
        assertTrue(e.getMessage().contains("--config " + conf + " line 2: unknown key 'learning-rate'")
                && e.getMessage().contains("known keys: [") && e.getMessage().contains("lr"), e.getMessage());
    }

    @Test
    void aMissingConfigFileIsNamedInOneLine() {
        Path missing = tmp.resolve("nope.conf");
        TrainConfig.ConfigException e = assertThrows(TrainConfig.ConfigException.class,
                () -> parse(missing.toString()));
        assertEquals("--config " + missing + ": no such file", e.getMessage());
        e = assertThrows(TrainConfig.ConfigException.class, () -> parse(tmp.toString()));
        assertEquals("--config " + tmp + ": not a file", e.getMessage());
    }

    /** A near miss gets the command line's "did you mean", with the key as the file spells keys. */
    @Test
    void aMistypedKeyGetsADidYouMean() throws Exception {
        Path conf = tmp.resolve("near.conf");
        Files.writeString(conf, "lrr = 0.1\n");
        TrainConfig.ConfigException e = assertThrows(TrainConfig.ConfigException.class,
                () -> parse(conf.toString()));
        assertTrue(e.getMessage().contains("line 1: unknown key 'lrr'; did you mean 'lr'"), e.getMessage());
    }

    /** Main.run of {@code args}: the exit code and standard error. */
    private static String[] main(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
        return new String[] {Integer.toString(code), err.toString()};
    }

    /** A bad value is refused by its declaration in one line naming where it came from, before Spark starts. */
    @Test
    void aBadValueIsRefusedNamingItsOrigin() throws Exception {
        String nl = System.lineSeparator();
        assertArrayEquals(new String[] {"2", "error: --epochs: '5L' is not a whole decimal number" + nl},
                main("--epochs", "5L"));
        assertArrayEquals(new String[] {"2", "error: --lr must be a positive finite number, got -1.0" + nl},
                main("--lr", "-1"));
        assertArrayEquals(new String[] {"2", "error: --overwrite: 'maybe' is not true or false" + nl},
                main("--overwrite", "maybe"));
        Path conf = tmp.resolve("run.conf");
        Files.writeString(conf, "lr = 0.05\nepochs = 5L\n");
        assertArrayEquals(new String[] {"2", "error: --config " + conf + " line 2: --epochs: '5L' is not a whole "
                + "decimal number" + nl}, main("--config", conf.toString()));
        Files.writeString(conf, "# comment\n\nlr = -1\n");
        assertArrayEquals(new String[] {"2", "error: --config " + conf + " line 3: --lr must be a positive finite "
                + "number, got -1.0" + nl}, main("--config", conf.toString()));
        Files.writeString(conf, "layers = [784]\n");
        assertArrayEquals(new String[] {"2", "error: --config " + conf + " line 1: --layers: needs at least an input "
                + "and an output size, got '784'" + nl}, main("--config", conf.toString()));
        Files.writeString(conf, "layers = \"1x28x28,conv:30:5,maxpool:30,affine:10\"\n");
        assertArrayEquals(new String[] {"2", "error: --config " + conf + " line 1: --layers: token 3 'maxpool:30': a "
                + "30x30 window does not fit an input of [channels, height, width] = 30x24x24" + nl},
                main("--config", conf.toString()));
        assertArrayEquals(new String[] {"2", "error: --layers: token 2 'conv:30:5:0': filters, size and stride must "
                + "be positive" + nl}, main("--layers", "1x28x28,conv:30:5:0,affine:10"));
        Files.writeString(conf, "optimizer = rmsprop\n");
        assertArrayEquals(new String[] {"2", "error: --config " + conf + " line 1: --optimizer: unknown optimizer "
                + "'rmsprop' (expected sgd, nesterov, adam or adamw)" + nl}, main("--config", conf.toString()));
        // The command line's value replaces the file's.
        assertEquals(3, parse(conf.toString(), "--optimizer", "adam", "--epochs", "3").epochs());
    }

    /**
     * A command's own options take no training defaults by name: gradcheck declares its --data and --seed defaults,
     * and datasets convert requires its --data and --out, as declared.
     */
    @Test
    void aCommandsOwnOptionsTakeNoTrainingDefaultsByName() {
        picocli.CommandLine.Model.CommandSpec spec = new CommandLine(new GradcheckCommand()).getCommandSpec();
        assertEquals("data/mnist", spec.findOption("--data").defaultValue());
        assertEquals("42", spec.findOption("--seed").defaultValue());
        assertEquals(Map.of(), DeclaredOptions.given(new CommandLine(new GradcheckCommand()).parseArgs("--seed", "7")
                .commandSpec()), "gradcheck's --seed is not training's");
        String nl = System.lineSeparator();
        assertArrayEquals(new String[] {"2", "error: Missing required option: '--data=DIR' (see --help)" + nl},
                main("datasets", "convert", "--out", tmp.resolve("shards").toString()));
        assertArrayEquals(new String[] {"2", "error: Missing required option: '--out=DIR' (see --help)" + nl},
                main("datasets", "convert", "--data", tmp.toString()));
    }
}
