package dev.sparknn.cli;

import dev.sparknn.data.FeatureFiles;
import dev.sparknn.data.InputPaths;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.SoftmaxCrossEntropy;
import dev.sparknn.store.ModelFile;
import dev.sparknn.train.Task;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
                + "(class probabilities; y0,... for an mse classifier's outputs); for a regression model "
                + "source,y0,... (the predicted values).",
                "Inputs: an IDX images file (raw or .gz), a PNG file or a folder of PNG files (any colour type "
                        + "and bit depth, as grey levels, white digit on black as in MNIST; --invert for dark on "
                        + "light, transparency over the background), or a CSV file read as training reads it: a "
                        + "header, then feature rows, the model's features found by name."})
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

    @Option(names = "--output", paramLabel = "FILE", defaultValue = "-", description = "CSV to write; - for "
            + "standard output. Written to a temporary name and renamed. Default: ${DEFAULT-VALUE}")
    String output;

    @Option(names = "--invert", description = "PNG: invert grey levels (for dark digits on a light background); "
            + "transparent pixels count as that light background.")
    boolean invert;

    @Override
    public Integer call() throws IOException {
        InputPaths.requireFile("--model", model.toString(), Main.MODEL_FILE);
        InputPaths.requireExisting("--input", input);
        ModelFile.Model m = ModelFile.read(model);
        Network net = m.network();
        FeatureFiles.Features in = FeatureFiles.read(new Configuration(), input, net.sizes()[0], m.features(),
                invert);
        in.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
        int k = net.numOutputs();
        float[] scores = new float[in.rows() * k];
        net.predict(m.params(), in.values(), in.rows(), net.newWorkspace(Math.max(1, Math.min(in.rows(), CHUNK))),
                scores);
        // A regressor's outputs are its predictions; a classifier's are scores, whose arg-max is the class.
        int[] predicted = m.task() == Task.REGRESSION ? null : Network.predictedClasses(scores, in.rows(), k);
        String prefix = net.loss() instanceof SoftmaxCrossEntropy ? "p" : "y";
        if (output.equals("-")) {
            write(spec.commandLine().getOut(), in, scores, predicted, k, prefix);
            spec.commandLine().getOut().flush();
            return 0;
        }
        Path target = Path.of(output);
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try (PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(tmp),
                StandardCharsets.UTF_8)))) {
            write(out, in, scores, predicted, k, prefix);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        spec.commandLine().getErr().printf("wrote %,d predictions to %s%n", in.rows(), target);
        return 0;
    }

    /** RFC 4180 quoting for a field that holds a comma, a quote or a line break (file names can). */
    private static String csvField(String s) {
        return s.matches("(?s).*[,\"\r\n].*") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    private static void write(PrintWriter out, FeatureFiles.Features in, float[] scores, int[] predicted, int k,
                              String prefix) {
        StringBuilder header = new StringBuilder(predicted == null ? "source" : "source,predicted");
        for (int c = 0; c < k; c++) {
            header.append(',').append(prefix).append(c);
        }
        out.println(header);
        for (int r = 0; r < in.rows(); r++) {
            StringBuilder line = new StringBuilder(csvField(in.sources().get(r)));
            if (predicted != null) {
                line.append(',').append(predicted[r]);
            }
            for (int c = 0; c < k; c++) {
                line.append(',').append(String.format(Locale.ROOT, "%.6g", scores[r * k + c]));
            }
            out.println(line);
        }
    }
}
