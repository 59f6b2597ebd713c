package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.sparknn.train.Optimizer;
import dev.sparknn.train.Schedule;
import dev.sparknn.train.TrainConfig;
import dev.sparknn.train.TrainOption;
import dev.sparknn.train.TrainOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The declarations of {@link TrainOptions} against everything derived from them or written beside them: the README's
 * options table, conf/train.conf, the command line's options and messages, and {@link TrainConfig}.
 */
class TrainOptionsTest {

    private static final Path REPO = Path.of(System.getProperty("sparknn.repo"));

    /** The README row of one declaration: name and placeholder, default, the Markdown doc. */
    private static String readmeRow(TrainOption<?> o) {
        String label = o.type() == Boolean.class ? "" : " " + (o.fallback() != null ? "[" + o.label() + "]" : o.label());
        String def = o.defaultText().isEmpty() ? "(empty)" : "`" + o.defaultText() + "`";
        return ("| `" + o.flag() + label + "` | " + def + " | " + o.doc() + " |").replaceAll("(?<=[^ ])\\|(?=[^ ])", "\\\\|");
    }

    @Test
    void theReadmeTableIsTheDeclarations() throws Exception {
        List<String> lines = Files.readAllLines(REPO.resolve("README.md"));
        int header = lines.indexOf("| option | default | meaning |");
        assertTrue(header >= 0, "README has no options table");
        Set<String> commandOnly = new TreeSet<>();
        for (OptionSpec o : new CommandLine(new TrainCommand()).getCommandSpec().options()) {
            if (TrainOptions.named(o.longestName().substring(2)).isEmpty()) {
                commandOnly.add(o.longestName());
            }
        }
        List<String> declaredRows = new ArrayList<>();
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String row = lines.get(i);
            String flag = row.replaceFirst("^\\| `(--[a-z0-9-]+).*", "$1");
            if (commandOnly.contains(flag)) {
                continue;   // --config, --validate: options of the command, not training options
            }
            assertTrue(TrainOptions.named(flag.substring(2)).isPresent(), "README row names no option: " + row);
            declaredRows.add(row);
        }
        List<String> expected = TrainOptions.ALL.stream().map(TrainOptionsTest::readmeRow).toList();
        assertEquals(String.join("\n", expected), String.join("\n", declaredRows),
                "README's options table differs from TrainOptions; the table the declarations give:\n"
                        + String.join("\n", expected) + "\n");
    }

    @Test
    void confTrainConfHasEveryOptionAtItsDeclaredDefault() {
        Config conf = ConfigFactory.parseFile(REPO.resolve("conf/train.conf").toFile());
        Set<String> declared = TrainOptions.ALL.stream().map(TrainOption::name)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(declared, new TreeSet<>(conf.root().keySet()), "conf/train.conf keys vs TrainOptions");
        for (TrainOption<?> o : TrainOptions.ALL) {
            assertEquals(o.defaultText(), text(o, OptionLayers.text(o, conf.getValue(o.name()))), "conf/train.conf: " + o.name());
        }
    }

    private static <T> String text(TrainOption<T> o, String value) {
        return o.text(o.parse(value));
    }

    /** --help and the spark.ml Param docs show plain text: no Markdown code spans or links from the README's text. */
    @Test
    void plainDocsHaveNoMarkdown() {
        for (TrainOption<?> o : TrainOptions.ALL) {
            assertFalse(o.plainDoc().contains("`") || o.plainDoc().contains("]("), o.flag() + ": " + o.plainDoc());
        }
        assertTrue(TrainOptions.DATA.plainDoc().contains("(see the README's Data formats)"), TrainOptions.DATA.plainDoc());
    }

    /** Each option of train is its declaration: placeholder and default in the help; the text given, as typed. */
    @Test
    void theCommandLineHasEveryDeclaredOptionWithItsDefault() {
        CommandLine cli = new CommandLine(new TrainCommand());
        cli.parseArgs();
        assertEquals(Map.of(), DeclaredOptions.given(cli.getCommandSpec()), "nothing given");
        List<String> args = new ArrayList<>();
        for (TrainOption<?> o : TrainOptions.ALL) {
            OptionSpec spec = cli.getCommandSpec().findOption(o.flag());
            assertTrue(spec != null && spec.userObject() == o, o.flag());
            assertEquals(o.label(), spec.paramLabel(), o.flag());
            String help = String.join(" ", spec.description());
            assertTrue(help.endsWith(" Default: " + (o.defaultText().isEmpty() ? "''" : o.defaultText())), help);
            args.addAll(List.of(o.flag(), " " + o.name()));
        }
        cli.parseArgs(args.toArray(String[]::new));
        Map<TrainOption<?>, String> given = DeclaredOptions.given(cli.getCommandSpec());
        assertEquals(TrainOptions.ALL, List.copyOf(given.keySet()));
        given.forEach((o, text) -> assertEquals(" " + o.name(), text, o.flag()));
    }

    /**
     * The defaults as a checkpoint records them, written out by hand (a change of a default or of the recorded form
     * breaks resuming older runs, so it must show here), and an empty command line gives the same configuration.
     */
    @Test
    void theDefaultsBuildAValidConfigurationWithTheDeclaredValues() throws Exception {
        TrainConfig cfg = TrainConfig.builder().build();
        assertEquals("{data=data/mnist, format=auto, label=label, features=, test-data=, test-fraction=0.1, "
                + "missing=mean, standardize=auto, task=classification, layers=784,512,10, activation=relu, "
                + "loss=softmax-ce, init=auto, epochs=5, batch-size=128, optimizer=sgd, lr=0.1, momentum=0.9, "
                + "beta1=0.9, beta2=0.999, "
                + "eps=1.0E-8, weight-decay=0.0, clip-norm=0.0, schedule=cosine, warmup-steps=0, decay-every=1, "
                + "decay-factor=0.1, local-steps=64, outer-lr=1.0, outer-momentum=0.0, outer-nesterov=false, "
                + "chunks=1, partitions=2, seed=42}", cfg.identity().toString());
        TrainConfig parsed = new CommandLineConfig().parse();
        assertEquals(cfg.identity(), parsed.identity());
        for (TrainOption<?> o : TrainOptions.ALL) {
            if (o != TrainOptions.OUT) {
                assertEquals(textOf(cfg, o), textOf(parsed, o), o.flag());
            }
        }
        assertEquals("runs/mnist-20260101-000000", parsed.out(), "{time} expanded");
    }

    private static <T> String textOf(TrainConfig cfg, TrainOption<T> o) {
        return o.text(cfg.get(o));
    }

    @Test
    void theBuilderTakesValuesByOptionAndCanonicalisesNames() {
        TrainConfig cfg = TrainConfig.builder().set(TrainOptions.EPOCHS, 2).set(TrainOptions.BATCH_SIZE, 64)
                .set(TrainOptions.OPTIMIZER, "Adam").parse(TrainOptions.LAYERS, "4, 8, 3").build();
        assertEquals(2, cfg.epochs());
        assertEquals(64, cfg.batchSize());
        assertEquals("adam", cfg.get(TrainOptions.OPTIMIZER));
        assertEquals(Optimizer.Kind.ADAM, cfg.optimizer().kind());
        assertEquals("4,8,3", cfg.identity().get("layers"));
        assertEquals(5, TrainConfig.builder().build().epochs(), "each builder starts from the defaults");
    }

    /**
     * The optimizer's, the schedule's and the rounds' settings are made only by a {@link TrainConfig} (no constructor
     * but a private one, so none can be built positionally), and each reads its own options: every value differs, so
     * a swapped read fails.
     */
    @Test
    void theOptimizerScheduleAndRoundSettingsComeOnlyFromTheirOptions() {
        for (Class<?> c : List.of(TrainConfig.OptimizerConfig.class, TrainConfig.ScheduleConfig.class,
                TrainConfig.RoundConfig.class)) {
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                assertTrue(Modifier.isPrivate(k.getModifiers()), "not private: " + k);
            }
        }
        TrainConfig cfg = TrainConfig.builder().set(TrainOptions.OPTIMIZER, "adamw").set(TrainOptions.LR, 0.011)
                .set(TrainOptions.MOMENTUM, 0.12).set(TrainOptions.BETA1, 0.13).set(TrainOptions.BETA2, 0.14)
                .set(TrainOptions.EPS, 0.015).set(TrainOptions.WEIGHT_DECAY, 0.016).set(TrainOptions.CLIP_NORM, 0.017)
                .set(TrainOptions.SCHEDULE, "step").set(TrainOptions.WARMUP_STEPS, 18).set(TrainOptions.DECAY_EVERY, 19)
                .set(TrainOptions.DECAY_FACTOR, 0.2).set(TrainOptions.LOCAL_STEPS, 21).set(TrainOptions.OUTER_LR, 0.22)
                .set(TrainOptions.OUTER_MOMENTUM, 0.23).set(TrainOptions.OUTER_NESTEROV, true).build();
        TrainConfig.OptimizerConfig o = cfg.optimizer();
        assertEquals(Optimizer.Kind.ADAMW, o.kind());
        assertEquals(List.of(0.011, 0.12, 0.13, 0.14, 0.015, 0.016, 0.017), List.of(o.lr(), o.momentum(), o.beta1(),
                o.beta2(), o.eps(), o.weightDecay(), o.clipNorm()));
        TrainConfig.ScheduleConfig s = cfg.schedule();
        assertEquals(List.of(Schedule.Kind.STEP, 18, 19, 0.2), List.of(s.kind(), s.warmupSteps(), s.decayEvery(),
                s.decayFactor()));
        TrainConfig.RoundConfig r = cfg.rounds();
        assertEquals(List.of(21, 0.22, 0.23, true), List.of(r.localSteps(), r.outerLr(), r.outerMomentum(),
                r.outerNesterov()));
    }

    /** Bad values, each refused with the same message by the declaration (for spark.ml params) and the command line. */
    @Test
    void aBadValueGetsTheSameMessageFromTheDeclarationAndTheCommandLine() {
        Map<TrainOption<?>, String> bad = new java.util.LinkedHashMap<>();
        bad.put(TrainOptions.LR, "-1");
        bad.put(TrainOptions.MOMENTUM, "1");
        bad.put(TrainOptions.EPOCHS, "0");
        bad.put(TrainOptions.BATCH_SIZE, "0");
        bad.put(TrainOptions.TEST_FRACTION, "1");
        bad.put(TrainOptions.DECAY_FACTOR, "2");
        bad.put(TrainOptions.KEEP_CHECKPOINTS, "0");
        bad.put(TrainOptions.TARGET_ACCURACY, "1.5");
        bad.put(TrainOptions.OPTIMIZER, "rmsprop");
        bad.put(TrainOptions.ON_DIVERGENCE, "ignore");
        bad.put(TrainOptions.LAYERS, "784");
        bad.put(TrainOptions.MASTER, " ");
        for (Map.Entry<TrainOption<?>, String> e : bad.entrySet()) {
            String declared = problemOfText(e.getKey(), e.getValue());
            StringWriter err = new StringWriter();
            int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                    e.getKey().flag(), e.getValue());
            assertEquals(2, code, e.getKey() + " " + e.getValue() + ": " + err);
            assertTrue(err.toString().startsWith("error: " + declared + System.lineSeparator()),
                    "declaration says '" + declared + "', the command line: " + err);
        }
    }

    private static <T> String problemOfText(TrainOption<T> o, String text) {
        TrainConfig.ConfigException e = assertThrows(TrainConfig.ConfigException.class, () -> o.parse(text));
        // A value that parses is refused by problem() with the same words.
        try {
            T value = o.type() == String.class ? o.cast(text) : o.type() == Integer.class ? o.cast(Integer.valueOf(text))
                    : o.type() == Double.class ? o.cast(Double.valueOf(text)) : null;
            if (value != null) {
                Optional<String> problem = o.problem(value);
                assertTrue(problem.isPresent(), o + " " + text);
                if (o.type() != String.class) {
                    assertEquals(e.getMessage(), problem.get());
                }
            }
        } catch (NumberFormatException ignored) {
            // layers: only text
        }
        return e.getMessage();
    }

    @Test
    void aDeclarationWithAnInvalidDefaultCannotExist() {
        for (TrainOption<?> o : TrainOptions.ALL) {
            assertFalse(problemOfDefault(o).isPresent(), o.flag());
        }
    }

    private static <T> Optional<String> problemOfDefault(TrainOption<T> o) {
        return o.problem(o.defaultValue());
    }

    /** A --config file read for one command line is not seen by another in the same JVM. */
    @Test
    void twoCommandLinesInOneJvmShareNoDefaults() throws Exception {
        Path conf = Files.createTempFile("epochs", ".conf");
        try {
            Files.writeString(conf, "epochs = 2\n");
            CommandLineConfig withFile = new CommandLineConfig(conf.toString());
            CommandLineConfig without = new CommandLineConfig();
            assertEquals(2, withFile.parse().epochs());
            assertEquals(TrainOptions.EPOCHS.defaultValue(), without.parse().epochs());
            assertEquals(2, withFile.parse().epochs());
        } finally {
            Files.delete(conf);
        }
    }

    /** One train command line, parsed with its own defaults. */
    private record CommandLineConfig(String configFile) {
        CommandLineConfig() {
            this(null);
        }

        TrainConfig parse(String... args) throws IOException {
            return OptionLayersTest.parse(configFile, args);
        }
    }
}
