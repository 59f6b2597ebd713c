package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.train.TrainConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

class TrainDefaultsTest {

    @Test
    void everyKeyOfTheDefaultsFileIsAnOption() {
        TrainDefaults.checkKeys(new CommandLine(new TrainCommand()).getCommandSpec());
    }

    @Test
    void aKeyThatNamesNoOptionIsRefusedByName() {
        // A command that lacks --lr: the defaults file's "lr" key then names no option.
        CommandSpec spec = CommandSpec.create();
        new CommandLine(new TrainCommand()).getCommandSpec().options().stream()
                .filter(o -> !o.longestName().equals("--lr"))
                .forEach(o -> spec.addOption(OptionSpec.builder(o.names()).type(o.type()).arity(o.arity().toString())
                        .build()));
        TrainConfig.ConfigException e = assertThrows(TrainConfig.ConfigException.class,
                () -> TrainDefaults.checkKeys(spec));
        assertTrue(e.getMessage().contains("unknown key(s) [lr]") && e.getMessage().contains("conf/train.conf"),
                e.getMessage());
    }
}
