package dev.sparknn.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.sparknn.train.TrainConfig;
import dev.sparknn.train.TrainOption;
import dev.sparknn.train.TrainOptions;
import java.io.File;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The values of a train command line, in layers: each option's declared default, then the options of the checkpoint
 * that {@code --resume} names, then the HOCON file that {@code --config} names (keys are option names without their
 * dashes), then the command line. Every layer gives text, which the option's declaration parses and checks once; a
 * value it refuses is reported with where it came from ({@code --config run.conf line 2: --epochs: '5L' is not a
 * whole decimal number}). A key of the file that names no option is refused, so a typo cannot silently do nothing.
 */
final class OptionLayers {

    /** Options naming files a run reads; relative values in a --config file are relative to that file. */
    static final List<TrainOption<String>> INPUT_PATHS = List.of(TrainOptions.DATA, TrainOptions.TEST_DATA,
            TrainOptions.RESUME);

    /** One option's text, and where it came from as an error message begins ("" for the command line). */
    private record Given(String text, String origin) {
    }

    private OptionLayers() {
    }

    /**
     * A builder holding the options of {@code spec} (a parsed train command line) over those of {@code configFile}
     * (null for none) and of the checkpoint that --resume names, if any.
     *
     * @throws TrainConfig.ConfigException naming the value's origin, the option and the value, for the first value
     *                                     that does not parse or is out of range; or if the file or the checkpoint
     *                                     cannot be read, saying where
     */
    static TrainConfig.Builder read(CommandSpec spec, String configFile) throws IOException {
        return read(spec, configFile, java.util.function.UnaryOperator.identity());
    }

    /**
     * {@link #read(CommandSpec, String)} with {@code layers} applied to the text of {@code --layers} before its
     * parser reads it (see {@link dev.sparknn.train.DataWidths}).
     */
    static TrainConfig.Builder read(CommandSpec spec, String configFile, java.util.function.UnaryOperator<String> layers)
            throws IOException {
        Map<TrainOption<?>, Given> file = configFile == null ? Map.of() : configFile(configFile);
        Map<TrainOption<?>, Given> line = new LinkedHashMap<>();
        DeclaredOptions.given(spec).forEach((option, text) -> line.put(option, new Given(text, "")));
        Given resume = line.getOrDefault(TrainOptions.RESUME, file.get(TrainOptions.RESUME));
        Map<TrainOption<?>, Given> values = new LinkedHashMap<>(resume == null ? Map.of() : checkpoint(resume.text()));
        values.putAll(file);
        values.putAll(line);
        TrainConfig.Builder b = TrainConfig.builder();
        values.forEach((option, given) -> {
            try {
                b.parse(option, option == TrainOptions.LAYERS ? layers.apply(given.text()) : given.text());
            } catch (TrainConfig.ConfigException e) {
                throw new TrainConfig.ConfigException(given.origin() + e.getMessage());
            }
        });
        return b;
    }

    /** The options recorded in the newest valid checkpoint in {@code dir}; keys that name no option are ignored. */
    private static Map<TrainOption<?>, Given> checkpoint(String dir) throws IOException {
        Map<TrainOption<?>, Given> values = new LinkedHashMap<>();
        ResumeFolder.options(dir).forEach((key, text) -> TrainOptions.named(key).ifPresent(option ->
                values.put(option, new Given(text, "--resume " + dir + ": the checkpoint's "))));
        return values;
    }

    /** {@code "; did you mean 'lr'?"}: the keys picocli suggests for the option {@code --key} on the command line. */
    private static String didYouMean(String key) {
        CommandLine options = new CommandLine(DeclaredOptions.addTo(CommandSpec.create(), TrainOptions.ALL));
        List<String> close = new CommandLine.UnmatchedArgumentException(options, List.of("--" + key)).getSuggestions();
        return close.isEmpty() ? "" : close.stream().limit(3).map(o -> "'" + o.replaceFirst("^--", "") + "'")
                .collect(Collectors.joining(" or ", "; did you mean ", "?"));
    }

    /** The values of a --config file, by option. */
    private static Map<TrainOption<?>, Given> configFile(String file) {
        if (!new File(file).isFile()) {
            throw new TrainConfig.ConfigException("--config " + file + ": " + (new File(file).exists()
                    ? "not a file" : "no such file"));
        }
        Config parsed;
        try {
            parsed = ConfigFactory.parseFile(new File(file), ConfigParseOptions.defaults().setAllowMissing(false))
                    .resolve();
        } catch (ConfigException e) {
            throw new TrainConfig.ConfigException("--config " + file + ": " + e.getMessage());
        }
        // The file's own folder anchors its relative input paths, so that it works from any working folder.
        File folder = new File(file).getAbsoluteFile().getParentFile();
        Map<TrainOption<?>, Given> values = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> e : parsed.entrySet()) {
            String where = "--config " + file + " line " + e.getValue().origin().lineNumber() + ": ";
            TrainOption<?> option = TrainOptions.named(e.getKey()).orElseThrow(() -> new TrainConfig.ConfigException(
                    where + "unknown key '" + e.getKey() + "'" + didYouMean(e.getKey()) + "; known keys: " + TrainOptions.ALL.stream()
                            .map(TrainOption::name).collect(Collectors.toCollection(TreeSet::new))));
            String text = text(option, e.getValue());
            if (INPUT_PATHS.contains(option) && !text.isBlank() && isRelativeLocal(text)) {
                text = new File(folder, text).getPath();
            }
            values.put(option, new Given(text, where));
        }
        return values;
    }

    /** A HOCON value as the command line would spell it: a list as {@code 784,64,10}, {@code 1e3} as 1000. */
    static String text(TrainOption<?> option, ConfigValue value) {
        Object unwrapped = value.unwrapped();
        if (value.valueType() == ConfigValueType.LIST) {
            return ((List<?>) unwrapped).stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        if ((option.type() == Integer.class || option.type() == Long.class) && unwrapped instanceof Double d
                && d == Math.rint(d) && Math.abs(d) < 0x1p53) {
            return Long.toString(d.longValue());
        }
        // Anything else (2.5 or "5L" for a whole number, yes for true) goes as written to the declaration's parser.
        return unwrapped.toString();
    }

    /** A path without a scheme that does not start at the root. */
    static boolean isRelativeLocal(String path) {
        return new org.apache.hadoop.fs.Path(path).toUri().getScheme() == null && !new File(path).isAbsolute();
    }
}
