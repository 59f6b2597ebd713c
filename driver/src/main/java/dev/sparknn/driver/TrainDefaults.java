package dev.sparknn.driver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Supplies every option's default from conf/train.properties (packaged into the jar), keyed by the long option
 * name without its dashes. The file is the one place defaults are written; {@link #checkKeys} refuses a key that
 * names no option, so a typo there cannot silently do nothing.
 */
public final class TrainDefaults implements IDefaultValueProvider {

    static final String RESOURCE = "train.properties";
    private static final Properties DEFAULTS = load();

    @Override
    public String defaultValue(ArgSpec arg) {
        return arg instanceof OptionSpec option ? DEFAULTS.getProperty(key(option)) : null;
    }

    /** @throws TrainConfig.ConfigException naming each key of the defaults file that is not an option of {@code spec} */
    static void checkKeys(CommandSpec spec) {
        Set<String> options = new TreeSet<>();
        for (OptionSpec option : spec.options()) {
            options.add(key(option));
        }
        Set<String> unknown = new TreeSet<>(DEFAULTS.stringPropertyNames());
        unknown.removeAll(options);
        if (!unknown.isEmpty()) {
            throw new TrainConfig.ConfigException("conf/" + RESOURCE + " has unknown key(s) " + unknown
                    + "; known keys: " + options);
        }
    }

    static String key(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = TrainDefaults.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the driver jar");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
