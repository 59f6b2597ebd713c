package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HelpTextTest {

    /**
     * picocli formats option descriptions with String.format and warns on stderr ("[picocli WARN] Could not format
     * ...") where a text has a bare '%'; --target-accuracy's "time to 97%" had one.
     */
    @Test
    void helpPrintsEveryTextAsWrittenAndNoWarning() {
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        MainIT.Run help;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            help = MainIT.run("--help");
        } finally {
            System.setErr(stderr);
        }
        assertEquals(0, help.code(), help.err());
        assertEquals("", captured.toString(StandardCharsets.UTF_8) + help.err());
        assertTrue(help.out().replaceAll("\\s+", " ").contains("measures time to 97%. Default: 0"), help.out());
    }

    /** --help lists every exit code of the README's table, and no other: gradcheck's 6 was missing. */
    @Test
    void helpListsTheReadmesExitCodes() throws Exception {
        List<String> readme = Files.readAllLines(Path.of(System.getProperty("sparknn.repo")).resolve("README.md"));
        int table = readme.indexOf("### Exit codes");
        assertTrue(table >= 0, "README has no exit codes section");
        Set<String> documented = new TreeSet<>();
        for (String line : readme.subList(table + 1, readme.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            Matcher m = Pattern.compile("^\\| (\\d+) \\|").matcher(line);
            if (m.find()) {
                documented.add(m.group(1));
            }
        }
        MainIT.Run help = MainIT.run("--help");
        String text = help.out();
        String listed = text.substring(text.indexOf("Exit codes:"));
        Set<String> inHelp = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\s+(\\d+)\\s{2,}").matcher(listed);
        while (m.find()) {
            inHelp.add(m.group(1));
        }
        assertEquals(Set.of("0", "1", "2", "3", "4", "5", "6"), documented);
        assertEquals(documented, inHelp, listed);
    }

    /**
     * A declared option that means something else in another command is described for that command: evaluate's and
     * datasets inspect's --data are no training data.
     */
    @Test
    void evaluateAndInspectDescribeTheirOwnData() {
        String evaluate = help("evaluate", "--help");
        assertTrue(evaluate.contains("--data=PATH Local path or Hadoop URI of the labelled data to evaluate the model "
                + "on, read as train reads its data"), evaluate);
        String inspect = help("datasets", "inspect", "--help");
        assertTrue(inspect.contains("--data=PATH Local path or Hadoop URI of the data to inspect"), inspect);
        for (String text : List.of(evaluate, inspect)) {
            assertFalse(text.contains("training data"), text);
        }
        assertTrue(help("--help").contains("--data=PATH Local path or Hadoop URI of the training data"));
    }

    /** The help text of {@code args}, its white space collapsed. */
    private static String help(String... args) {
        MainIT.Run r = MainIT.run(args);
        assertEquals(0, r.code(), r.err());
        return r.out().replaceAll("\\s+", " ");
    }
}
