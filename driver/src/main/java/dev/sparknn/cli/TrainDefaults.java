package dev.sparknn.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.sparknn.train.TrainConfig;
import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option's default, in layers: conf/train.conf (HOCON, packaged into the jar, the one place defaults are
 * written), then the file named by {@code --config} if any, then the command line itself. Keys are long option
 * names without their dashes; {@link #checkKeys} refuses a key that names no option, so a typo cannot silently
 * do nothing.
 */
public final class TrainDefaults implements IDefaultValueProvider {

    static final String RESOURCE = "train.conf";
    private static final Config PACKAGED = ConfigFactory.parseResources("dev/sparknn/conf/" + RESOURCE,
            ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));

    /** The --config file of the command line being parsed, and its name for messages. */
    private static volatile Config user = ConfigFactory.empty();
    private static volatile String userFile;

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        String key = key(option);
        Config layer = user.hasPath(key) ? user : PACKAGED;
        if (!layer.hasPath(key)) {
            return null;
        }
        Class<?> type = option.type();
        if (type == boolean.class) {
            return Boolean.toString(layer.getBoolean(key));          // HOCON also reads yes/no, on/off
        }
        ConfigValue value = layer.getValue(key);
        if ((type == int.class || type == long.class) && value.valueType() == ConfigValueType.NUMBER) {
            double number = layer.getDouble(key);
            if (number == Math.rint(number) && Math.abs(number) < 0x1p53) {
                return Long.toString((long) number);                 // 1e3 is a whole number too
            }
        }
        if (value.valueType() == ConfigValueType.LIST) {
            // layers = [784, 64, 10] reads as the command line's 784,64,10
            return ((List<?>) value.unwrapped()).stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        return value.unwrapped().toString();
    }

    /**
     * Layers {@code file} over the packaged defaults for the next parse; {@code null} for none.
     *
     * @throws TrainConfig.ConfigException if the file is missing or not valid HOCON, saying where
     */
    static void useConfigFile(String file, CommandSpec spec) {
        user = ConfigFactory.empty();
        userFile = null;
        if (file == null) {
            return;
        }
        Config parsed;
        try {
            parsed = ConfigFactory.parseFile(new File(file), ConfigParseOptions.defaults().setAllowMissing(false))
                    .resolve();
        } catch (ConfigException e) {
            throw new TrainConfig.ConfigException("--config " + file + ": " + e.getMessage());
        }
        Set<String> options = optionKeys(spec);
        for (Map.Entry<String, ConfigValue> e : parsed.entrySet()) {
            if (!options.contains(e.getKey())) {
                throw new TrainConfig.ConfigException("--config " + file + " line " + e.getValue().origin().lineNumber()
                        + ": unknown key '" + e.getKey() + "'; known keys: " + options);
            }
        }
        user = parsed;
        userFile = file;
    }

    /** @throws TrainConfig.ConfigException naming each key of the defaults or --config file that is no option */
    static void checkKeys(CommandSpec spec) {
        Set<String> options = optionKeys(spec);
        Set<String> unknown = new TreeSet<>(PACKAGED.root().keySet());
        unknown.removeAll(options);
        if (!unknown.isEmpty()) {
            throw new TrainConfig.ConfigException("conf/" + RESOURCE + " has unknown key(s) " + unknown
                    + "; known keys: " + options);
        }
    }

    private static Set<String> optionKeys(CommandSpec spec) {
        Set<String> options = new TreeSet<>();
        for (OptionSpec option : spec.options()) {
            if (!option.usageHelp() && !option.versionHelp() && !key(option).equals("config")) {
                options.add(key(option));
            }
        }
        return options;
    }

    static String key(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }
}
