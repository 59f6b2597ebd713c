package dev.sparknn.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import dev.sparknn.train.TrainConfig;
import dev.sparknn.train.TrainOption;
import dev.sparknn.train.TrainOptions;
import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option's default, in layers: the declarations of {@link TrainOptions}, then the HOCON file named by
 * {@code --config} if any, then the command line itself. Keys are long option names without their dashes; a key
 * of the file that names no option is refused, so a typo cannot silently do nothing. Each parse gets its own
 * instance: nothing is shared between two command lines in one JVM.
 */
public final class TrainDefaults implements IDefaultValueProvider {

    private final Config user;

    /** The declared defaults alone (picocli instantiates this for commands that take no {@code --config}). */
    public TrainDefaults() {
        this(ConfigFactory.empty());
    }

    private TrainDefaults(Config user) {
        this.user = user;
    }

    /** {@code "; did you mean 'lr'?"}: the keys picocli suggests for the option {@code --key} on the command line. */
    private static String didYouMean(String key) {
        CommandLine options = new CommandLine(DeclaredOptions.addTo(CommandSpec.create(), TrainOptions.ALL));
        List<String> close = new CommandLine.UnmatchedArgumentException(options, List.of("--" + key)).getSuggestions();
        return close.isEmpty() ? "" : close.stream().limit(3).map(o -> "'" + o.replaceFirst("^--", "") + "'")
                .collect(Collectors.joining(" or ", "; did you mean ", "?"));
    }

    /**
     * The declared defaults with {@code file} layered over them; {@code null} for none.
     *
     * @throws TrainConfig.ConfigException if the file is missing, not valid HOCON, or has a key that names no
     *                                     option, saying where
     */
    static TrainDefaults withConfigFile(String file) {
        if (file == null) {
            return new TrainDefaults();
        }
        Config parsed;
        try {
            parsed = ConfigFactory.parseFile(new File(file), ConfigParseOptions.defaults().setAllowMissing(false))
                    .resolve();
        } catch (ConfigException e) {
            throw new TrainConfig.ConfigException("--config " + file + ": " + e.getMessage());
        }
        Set<String> known = TrainOptions.ALL.stream().map(TrainOption::name).collect(Collectors.toCollection(TreeSet::new));
        for (Map.Entry<String, ConfigValue> e : parsed.entrySet()) {
            if (!known.contains(e.getKey())) {
                throw new TrainConfig.ConfigException("--config " + file + " line " + e.getValue().origin().lineNumber()
                        + ": unknown key '" + e.getKey() + "'" + didYouMean(e.getKey()) + "; known keys: " + known);
            }
        }
        // The file's own folder anchors its relative input paths, so that it works from any working folder.
        File folder = new File(file).getAbsoluteFile().getParentFile();
        for (String key : INPUT_PATHS) {
            if (parsed.hasPath(key) && parsed.getValue(key).valueType() == ConfigValueType.STRING) {
                String value = parsed.getString(key);
                if (!value.isBlank() && isRelativeLocal(value)) {
                    parsed = parsed.withValue(key, ConfigValueFactory.fromAnyRef(new File(folder, value).getPath(),
                            "--config " + file + ": " + key + " relative to the file's folder"));
                }
            }
        }
        return new TrainDefaults(parsed);
    }

    /** Options naming files a run reads; relative values in a --config file are relative to that file. */
    static final List<String> INPUT_PATHS = List.of(TrainOptions.DATA.name(), TrainOptions.TEST_DATA.name(),
            TrainOptions.RESUME.name());

    /** A path without a scheme that does not start at the root. */
    static boolean isRelativeLocal(String path) {
        return new org.apache.hadoop.fs.Path(path).toUri().getScheme() == null && !new File(path).isAbsolute();
    }

    /**
     * These defaults with the options of the checkpoint a run resumes from layered under the --config file and the
     * command line, so that {@code --resume DIR} alone continues the run: an option given that differs from the
     * checkpoint's is then refused, naming it. Keys that name no option of this build are ignored.
     *
     * @param options option name (without dashes) to value, as {@link ResumeFolder#options} reads them
     */
    TrainDefaults withCheckpoint(Map<String, String> options) {
        Map<String, String> known = new java.util.LinkedHashMap<>();
        options.forEach((k, v) -> {
            if (TrainOptions.named(k).isPresent()) {
                known.put(k, v);
            }
        });
        return new TrainDefaults(user.withFallback(ConfigFactory.parseMap(known, "the checkpoint of --resume")));
    }

    /** The value of {@code key} in the --config file, or null. */
    String configured(String key) {
        return user.hasPath(key) ? user.getValue(key).unwrapped().toString() : null;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        return TrainOptions.named(option.longestName().replaceFirst("^-+", ""))
                .map(declared -> user.hasPath(declared.name()) ? text(user, declared) : declared.defaultText())
                .orElse(null);
    }

    /** The text of {@code option}'s value in a HOCON file, as the command line would spell it. */
    static String text(Config config, TrainOption<?> option) {
        String key = option.name();
        try {
            if (option.type() == Boolean.class) {
                return Boolean.toString(config.getBoolean(key));          // HOCON also reads yes/no, on/off
            }
            if ((option.type() == Integer.class || option.type() == Long.class)
                    && config.getValue(key).valueType() == ConfigValueType.NUMBER) {
                double number = config.getDouble(key);
                if (number == Math.rint(number) && Math.abs(number) < 0x1p53) {
                    return Long.toString((long) number);                  // 1e3 is a whole number too
                }
            }
        } catch (ConfigException.WrongType e) {
            throw new TrainConfig.ConfigException("--config: " + e.getMessage());
        }
        // Anything else (2.5 or "5L" for a whole number) goes as written to the option's parser, which refuses it.
        ConfigValue value = config.getValue(key);
        if (value.valueType() == ConfigValueType.LIST) {
            // layers = [784, 64, 10] reads as the command line's 784,64,10
            return ((List<?>) value.unwrapped()).stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        return value.unwrapped().toString();
    }
}
