package dev.sparknn.driver;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.io.File;
import java.util.Set;
import java.util.TreeSet;
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
    private static final Config PACKAGED = ConfigFactory.parseResources(TrainDefaults.class, RESOURCE,
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
        return layer.hasPath(key) ? layer.getValue(key).unwrapped().toString() : null;
    }

    /**
     * Layers {@code file} over the packaged defaults for the next parse; {@code null} for none.
     *
     * @throws TrainConfig.ConfigException if the file is missing or not valid HOCON, saying where
     */
    static void useConfigFile(String file) {
        if (file == null) {
            user = ConfigFactory.empty();
            userFile = null;
            return;
        }
        try {
            user = ConfigFactory.parseFile(new File(file), ConfigParseOptions.defaults().setAllowMissing(false));
            userFile = file;
        } catch (ConfigException e) {
            throw new TrainConfig.ConfigException("--config " + file + ": " + e.getMessage());
        }
    }

    /** @throws TrainConfig.ConfigException naming each key of the defaults or --config file that is no option */
    static void checkKeys(CommandSpec spec) {
        Set<String> options = new TreeSet<>();
        for (OptionSpec option : spec.options()) {
            if (!option.usageHelp() && !option.versionHelp() && !key(option).equals("config")) {
                options.add(key(option));
            }
        }
        check(PACKAGED, "conf/" + RESOURCE, options);
        if (userFile != null) {
            check(user, userFile, options);
        }
    }

    private static void check(Config config, String name, Set<String> options) {
        Set<String> unknown = new TreeSet<>(config.root().keySet());
        unknown.removeAll(options);
        if (!unknown.isEmpty()) {
            throw new TrainConfig.ConfigException(name + " has unknown key(s) " + unknown + "; known keys: " + options);
        }
    }

    static String key(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }
}
