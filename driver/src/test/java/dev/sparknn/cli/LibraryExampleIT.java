package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's library program ("From a Spark application"), compiled and run exactly as printed: the Java code
 * block saved as the file the README names, and the README's commands run by bash with the classpath and flags they
 * give, from a folder that has the repository's {@code driver}, {@code conf} and {@code examples} (so that the run's
 * own files stay out of the repository).
 */
class LibraryExampleIT {

    private static final Path REPO = Path.of(System.getProperty("sparknn.repo", "."));
    private static final Pattern BLOCK = Pattern.compile("```(\\w*)\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path root;

    /** The fenced blocks of the README's section {@code heading}, as {@code [language, text]}, in order. */
    private static List<String[]> blocks(String heading) throws Exception {
        String readme = Files.readString(REPO.resolve("README.md"));
        int start = readme.indexOf("\n" + heading + "\n");
        assertTrue(start >= 0, "README has no section " + heading);
        int end = readme.indexOf("\n## ", start + 1);
        Matcher m = BLOCK.matcher(readme.substring(start, end < 0 ? readme.length() : end));
        List<String[]> blocks = new java.util.ArrayList<>();
        while (m.find()) {
            blocks.add(new String[] {m.group(1), m.group(2)});
        }
        return blocks;
    }

    @Test
    void theReadmesJavaProgramCompilesAndRunsAsPrinted() throws Exception {
        List<String[]> blocks = blocks("## From a Spark application");
        int java = -1;
        for (int i = 0; i < blocks.size() && java < 0; i++) {
            if (blocks.get(i)[0].equals("java") && blocks.get(i)[1].contains("public static void main")) {
                java = i;
            }
        }
        assertTrue(java >= 0, "no Java program in the section");
        String program = blocks.get(java)[1];
        Matcher name = Pattern.compile("public class (\\w+)").matcher(program);
        assertTrue(name.find(), program);
        String[] commands = blocks.get(java + 1);
        String[] expected = blocks.get(java + 2);
        assertEquals("bash", commands[0], "the commands follow the program");
        assertTrue(commands[1].contains(name.group(1)), commands[1]);

        Files.writeString(root.resolve(name.group(1) + ".java"), program);
        for (String dir : List.of("driver", "conf", "examples")) {
            Files.createSymbolicLink(root.resolve(dir), REPO.toAbsolutePath().resolve(dir));
        }
        try {
            runAsPrinted(commands[1], expected[1]);
        } finally {
            for (String dir : List.of("driver", "conf", "examples")) {
                Files.delete(root.resolve(dir));  // the links only, before @TempDir's clean-up walks them
            }
        }
    }

    /** Runs the README's {@code commands} in {@link #root} and compares what they print with {@code expected}. */
    private void runAsPrinted(String commands, String expected) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c", commands).directory(root.toFile());
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "finished");
        String said = out + err.get(1, TimeUnit.MINUTES);
        assertEquals(0, p.exitValue(), said);

        // The printed output, line by line; the losses to the last printed digit, as BLAS rounding may move it.
        List<String> want = expected.lines().toList();
        List<String> got = out.lines().toList();
        assertEquals(want.size(), got.size(), said);
        assertEquals(want.get(0), got.get(0));
        assertEquals(want.get(2), got.get(2));
        double[] wantLoss = numbers(want.get(1));
        double[] gotLoss = numbers(got.get(1));
        for (int i = 0; i < 2; i++) {
            assertEquals(wantLoss[i], gotLoss[i], 1e-4 + 1e-9, got.get(1));
        }
        // Spark's INFO log stays off the console: it would start with SparkContext's "Running Spark version".
        assertTrue(!said.contains("INFO SparkContext"), said);
    }

    private static double[] numbers(String line) {
        return Pattern.compile("\\d+\\.\\d+").matcher(line).results().mapToDouble(r -> Double.parseDouble(r.group()))
                .toArray();
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
