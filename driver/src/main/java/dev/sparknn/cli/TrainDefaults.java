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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
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
                        + ": unknown key '" + e.getKey() + "'; known keys: " + known);
            }
        }
        return new TrainDefaults(parsed);
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
            if (option.type() == Integer.class || option.type() == Long.class) {
                return Long.toString(config.getNumber(key).longValue());  // 1e3 is a whole number too
            }
        } catch (ConfigException.WrongType e) {
            throw new TrainConfig.ConfigException("--config: " + e.getMessage());
        }
        ConfigValue value = config.getValue(key);
        if (value.valueType() == ConfigValueType.LIST) {
            // layers = [784, 64, 10] reads as the command line's 784,64,10
            return ((List<?>) value.unwrapped()).stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        return value.unwrapped().toString();
    }
}
