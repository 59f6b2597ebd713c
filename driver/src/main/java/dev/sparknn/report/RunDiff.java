package dev.sparknn.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparknn.data.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Two run folders side by side, in a few lines: where their weights part (the first epoch, and with
 * {@code --round-hashes} the first round, whose {@code weights_sha256} differ) and what differs between the runs that
 * could explain it: the options, the data, the partitions, the BLAS kernels and the Spark master, from each run's
 * {@code config.json}.
 */
public final class RunDiff {

    /** config.json keys of the data's identity; {@code partitions} and {@code chunks} have their own line. */
    private static final Set<String> DATA = Set.of("data", "test-data", "format", "label", "features",
            "test-fraction", "standardize");
    private static final Set<String> PARTITIONS = Set.of("partitions", "chunks");
    /** config.json keys that describe the run, not its options. */
    private static final Set<String> NOT_OPTIONS = Set.of("master", "checkpoint_dir", "resumed_from", "num_params",
            "blas", "blas_kernels");
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunDiff() {
    }

    /** One run folder as the diff reads it. */
    private record Run(Path dir, Map<String, String> config, JsonNode kernels, List<JsonNode> epochs) {

        static Run read(Path dir) throws IOException {
            JsonNode config = json(dir.resolve("config.json"), 0, text(dir.resolve("config.json")));
            Map<String, String> values = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isValueNode()) {
                    values.put(e.getKey(), e.getValue().asText());
                }
            }
            List<JsonNode> epochs = new ArrayList<>();
            Path metrics = dir.resolve("metrics.jsonl");
            List<String> lines = text(metrics).lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).isBlank()) {
                    JsonNode line = json(metrics, i + 1, lines.get(i));
                    if (!line.path("epoch").isInt() || !line.path("weights_sha256").isTextual()) {
                        throw new InputException(metrics + " line " + (i + 1) + ": no 'epoch' and 'weights_sha256'");
                    }
                    epochs.add(line);
                }
            }
            return new Run(dir, values, config.path("blas_kernels"), epochs);
        }

        private static String text(Path file) throws IOException {
            try {
                return Files.readString(file);
            } catch (NoSuchFileException e) {
                throw new InputException(file + ": no such file (not a run folder?)");
            }
        }

        /** {@code text} parsed; {@code line} names the line of {@code file} it is, 0 for the whole file. */
        private static JsonNode json(Path file, int line, String text) throws InputException {
            try {
                return JSON.readTree(text);
            } catch (JsonProcessingException e) {
                throw new InputException(file + (line > 0 ? " line " + line : "") + ": not JSON ("
                        + e.getOriginalMessage() + ")");
            }
        }

        /** The distinct BLAS kernels the run computed with, or its BLAS implementation for older runs. */
        Set<String> kernelSet() {
            Set<String> s = new TreeSet<>();
            kernels.forEach(k -> s.add(k.asText()));
            if (s.isEmpty()) {
                s.add(config.getOrDefault("blas", "?"));
            }
            return s;
        }
    }

    /** The lines that tell where runs {@code a} and {@code b} part and what differs between them. */
    public static List<String> compare(Path a, Path b) throws IOException {
        Run ra = Run.read(a);
        Run rb = Run.read(b);
        List<String> lines = new ArrayList<>();
        lines.add(parting(ra, rb));
        lines.add("options: " + differences(ra, rb, k -> !DATA.contains(k) && !PARTITIONS.contains(k)
                && !NOT_OPTIONS.contains(k)));
        lines.add("data: " + differences(ra, rb, DATA::contains));
        lines.add("partitions: " + differences(ra, rb, PARTITIONS::contains));
        Set<String> ka = ra.kernelSet();
        Set<String> kb = rb.kernelSet();
        lines.add("BLAS kernels: " + (ka.equals(kb) ? "same (" + String.join("; ", ka) + ")"
                : String.join("; ", ka) + " vs " + String.join("; ", kb)));
        String ma = ra.config().getOrDefault("master", "?");
        String mb = rb.config().getOrDefault("master", "?");
        lines.add("Spark master: " + (ma.equals(mb) ? "same (" + ma + ")" : ma + " vs " + mb));
        return lines;
    }

    /** Where the weights part: the first epoch, and round if both runs recorded rounds, whose hashes differ. */
    private static String parting(Run a, Run b) {
        Map<Integer, JsonNode> epochsB = new LinkedHashMap<>();
        b.epochs().forEach(e -> epochsB.put(e.get("epoch").asInt(), e));
        int compared = 0;
        for (JsonNode ea : a.epochs()) {
            int epoch = ea.get("epoch").asInt();
            JsonNode eb = epochsB.get(epoch);
            if (eb == null) {
                continue;
            }
            compared++;
            String round = partingRound(ea.path("round_sha256"), eb.path("round_sha256"));
            if (round != null) {
                return "weights part at epoch " + epoch + ", " + round;
            }
            String ha = ea.get("weights_sha256").asText();
            String hb = eb.get("weights_sha256").asText();
            if (!ha.equals(hb)) {
                boolean rounds = ea.has("round_sha256") && eb.has("round_sha256");
                return "weights part at epoch " + epoch + " (" + shortHash(ha) + " vs " + shortHash(hb) + ")"
                        + (rounds ? "" : "; rerun both with --round-hashes to find the round");
            }
        }
        if (compared == 0) {
            return "no epoch in common to compare (" + a.epochs().size() + " and " + b.epochs().size() + " epochs)";
        }
        String more = a.epochs().size() == b.epochs().size() ? ""
                : " (then " + a.epochs().size() + " vs " + b.epochs().size() + " epochs)";
        return "the same weights at all " + compared + " epochs both ran" + more;
    }

    /** "round R (step S of the epoch) (A vs B)" for the first round both recorded with different hashes, or null. */
    private static String partingRound(JsonNode ra, JsonNode rb) {
        if (!ra.isArray() || !rb.isArray()) {
            return null;
        }
        Map<Integer, String> byStep = new LinkedHashMap<>();
        rb.forEach(r -> byStep.put(r.path("step").asInt(), r.path("sha256").asText()));
        for (int i = 0; i < ra.size(); i++) {
            int step = ra.get(i).path("step").asInt();
            String ha = ra.get(i).path("sha256").asText();
            String hb = byStep.get(step);
            if (hb != null && !hb.equals(ha)) {
                return "round " + (i + 1) + " (after step " + step + " of the epoch; " + shortHash(ha) + " vs "
                        + shortHash(hb) + ")";
            }
        }
        return null;
    }

    /** "same", or {@code key a vs b} for each config.json key that {@code keys} selects and whose values differ. */
    private static String differences(Run a, Run b, java.util.function.Predicate<String> keys) {
        Set<String> all = new LinkedHashSet<>(a.config().keySet());
        all.addAll(b.config().keySet());
        List<String> differ = new ArrayList<>();
        for (String key : all) {
            if (keys.test(key)) {
                String va = a.config().getOrDefault(key, "(none)");
                String vb = b.config().getOrDefault(key, "(none)");
                if (!va.equals(vb)) {
                    differ.add(key + " " + show(va) + " vs " + show(vb));
                }
            }
        }
        return differ.isEmpty() ? "same" : String.join(", ", differ);
    }

    private static String show(String value) {
        return value.isEmpty() ? "''" : value;
    }

    private static String shortHash(String sha256) {
        return sha256.length() > 12 ? sha256.substring(0, 12) + "…" : sha256;
    }
}
