package dev.sparknn.cli;

import dev.sparknn.data.FeatureFiles;
import dev.sparknn.data.InputPaths;
import dev.sparknn.data.InputRanges;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.SoftmaxCrossEntropy;
import dev.sparknn.store.ModelFile;
import dev.sparknn.train.Task;
import dev.sparknn.train.TrainConfig;
import dev.sparknn.train.TrainOptions;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code predict}: labels and class probabilities for unlabelled inputs, as CSV; runs in this JVM, no Spark. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        versionProvider = TrainCommand.Version.class,
        description = {"Predicts the class of every input with a model file and writes CSV: source,predicted,p0,... "
                + "(source,predicted,class,p0,... for named classes, class being the predicted class's name; class "
                + "probabilities; y0,... for an mse classifier's outputs); for a regression model "
                + "source,y0,... (the predicted values).",
                "Inputs: an IDX images file (raw or .gz), a PNG file or a folder of PNG files (any colour type "
                        + "and bit depth, as grey levels, white digit on black as in MNIST; --invert for dark on "
                        + "light, transparency over the background), or a CSV file read as training reads it: a "
                        + "header, then feature rows, the model's features found by name (--features for a model "
                        + "that stores none). --format says which, when the input's name does not."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the predictions are written", Main.EXIT_CONFIG + ":invalid option (an unknown --format, "
                + "a --features list the model or the input cannot take)", Main.EXIT_DATA + ":the model or the input "
                + "cannot be read (missing, damaged, not what --format says, a bad cell, a size the model does not "
                + "take)"})
public final class PredictCommand implements Callable<Integer> {

    /** Rows per forward pass. */
    private static final int CHUNK = 1024;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model.bin written by train.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "PATH", description = "IDX file, PNG file or folder, "
            + "or CSV file (local path or Hadoop URI).")
    String input;

    @Option(names = "--format", paramLabel = "NAME", defaultValue = "auto", description = "How to read --input: "
            + "auto (by its name: the files named like x.png in a folder, or a file named so, are PNG images; x.csv or "
            + "x.csv.gz is a CSV table; anything else an IDX images file), or idx, png (a folder: every file in it "
            + "but hidden ones) or csv, whatever the name says. Default: ${DEFAULT-VALUE}")
    String format;

    @Option(names = "--features", paramLabel = "COL,...", defaultValue = "", description = "CSV: the table's "
            + "columns that are the model's inputs, in the model's order, found by name among other columns. Needed "
            + "to read a table by name with a model that stores no feature names (saved from the spark.ml API, or "
            + "by an older version); a model that stores names takes only those, in their order. Empty: the "
            + "model's names, or the columns by position for a model without. Default: '${DEFAULT-VALUE}'")
    String features;

    @Option(names = "--output", paramLabel = "FILE", defaultValue = "-", description = "CSV to write; - for "
            + "standard output. Written to a temporary name and renamed. Default: ${DEFAULT-VALUE}")
    String output;

    @Option(names = "--invert", description = "PNG: invert grey levels (for dark digits on a light background); "
            + "transparent pixels count as that light background.")
    boolean invert;

    @Override
    public Integer call() throws IOException {
        FeatureFiles.Format how;
        try {
            how = FeatureFiles.Format.parse(format);
        } catch (IllegalArgumentException e) {
            throw new TrainConfig.ConfigException("--format: " + e.getMessage());
        }
        List<String> columns = TrainOptions.columns(features);
        for (String c : columns) {
            TrainConfig.require(columns.indexOf(c) == columns.lastIndexOf(c),
                    "--features names column '" + c + "' twice");
        }
        InputPaths.requireFile("--model", model.toString(), Main.MODEL_FILE);
        InputPaths.requireExisting("--input", input);
        Configuration conf = new Configuration();
        FeatureFiles.Format kind = FeatureFiles.resolve(conf, input, how);
        TrainConfig.require(columns.isEmpty() || kind == FeatureFiles.Format.CSV, "--features names the columns "
                + "of a CSV table, but --input " + input + " is read as " + (kind == FeatureFiles.Format.IDX
                ? "an IDX images file" : "PNG images") + (how == FeatureFiles.Format.AUTO
                ? " by its name (--format csv reads it as a table)" : ""));
        ModelFile.Model m = ModelFile.read(model);
        Network net = m.network();
        checkColumns(columns, m);
        FeatureFiles.Features in = FeatureFiles.read(conf, input, how, net.numInputs(),
                columns.isEmpty() ? m.features() : columns, !columns.isEmpty(), invert, m.encoding());
        in.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
        InputRanges ranges = m.ranges();
        if (ranges != null) {
            ranges.warning(ranges.scan(in.values(), in.rows(), net.numInputs()), input)
                    .ifPresent(w -> spec.commandLine().getErr().println("warning: " + w));
        }
        int k = net.numOutputs();
        float[] scores = new float[in.rows() * k];
        net.predict(m.params(), in.values(), in.rows(), net.newWorkspace(Math.max(1, Math.min(in.rows(), CHUNK))),
                scores);
        // A regressor's outputs are its predictions; a classifier's are scores, whose arg-max is the class.
        int[] predicted = m.task() == Task.REGRESSION ? null : Network.predictedClasses(scores, in.rows(), k);
        String prefix = net.loss() instanceof SoftmaxCrossEntropy ? "p" : "y";
        if (output.equals("-")) {
            write(spec.commandLine().getOut(), in, scores, predicted, k, prefix, m.classNames());
            spec.commandLine().getOut().flush();
            return 0;
        }
        Path target = Path.of(output);
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try (PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(tmp),
                StandardCharsets.UTF_8)))) {
            write(out, in, scores, predicted, k, prefix, m.classNames());
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        spec.commandLine().getErr().printf("wrote %,d predictions to %s%n", in.rows(), target);
        return 0;
    }

    /**
     * Refuses a --features list the model cannot take: one other than the names the model stores (their order is
     * the inputs' order), or, for a model without names, one of another length than its inputs.
     */
    private void checkColumns(List<String> columns, ModelFile.Model m) {
        if (columns.isEmpty()) {
            return;
        }
        int inputs = m.network().numInputs();
        if (!m.columns().isEmpty()) {
            TrainConfig.require(columns.equals(m.columns()), "--features " + String.join(",", columns)
                    + " disagrees with the features stored in " + model + ", " + String.join(",", m.columns())
                    + " (in that order); leave --features out to read those");
            if (m.encoding() != null) {
                return;
            }
        }
        TrainConfig.require(columns.size() == inputs, "--features names " + columns.size() + " column"
                + (columns.size() == 1 ? "" : "s") + " (" + String.join(",", columns) + "), but the model " + model
                + " takes " + inputs + " input" + (inputs == 1 ? "" : "s"));
    }

    /** RFC 4180 quoting for a field that holds a comma, a quote or a line break (file names can). */
    private static String csvField(String s) {
        return s.matches("(?s).*[,\"\r\n].*") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    /** The predictions as CSV; with named classes, the predicted class's name follows its index, as {@code class}. */
    private static void write(PrintWriter out, FeatureFiles.Features in, float[] scores, int[] predicted, int k,
                              String prefix, List<String> classNames) {
        boolean named = predicted != null && !classNames.isEmpty();
        StringBuilder header = new StringBuilder(predicted == null ? "source" : named ? "source,predicted,class"
                : "source,predicted");
        for (int c = 0; c < k; c++) {
            header.append(',').append(prefix).append(c);
        }
        out.println(header);
        for (int r = 0; r < in.rows(); r++) {
            StringBuilder line = new StringBuilder(csvField(in.sources().get(r)));
            if (predicted != null) {
                line.append(',').append(predicted[r]);
            }
            if (named) {
                line.append(',').append(csvField(classNames.get(predicted[r])));
            }
            for (int c = 0; c < k; c++) {
                line.append(',').append(String.format(Locale.ROOT, "%.6g", scores[r * k + c]));
            }
            out.println(line);
        }
    }
}
