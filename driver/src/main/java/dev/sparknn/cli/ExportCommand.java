package dev.sparknn.cli;

import dev.sparknn.data.InputPaths;
import dev.sparknn.export.OnnxExport;
import dev.sparknn.store.ModelFile;
import dev.sparknn.train.TrainConfig;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code export}: a model file in a format other programs run, ONNX; in this JVM, no Spark. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        versionProvider = TrainCommand.Version.class,
        description = {"Writes a model.bin as an ONNX file that ONNX Runtime (Java, Python, C#, C++, mobile) runs "
                + "without this project: input 'features' float32 [N, inputs], the values the model was trained on "
                + "(IDX images: pixel / 255, flat; a standardisation is folded into the first layer); outputs "
                + "'probabilities' and 'logits' [N, classes] for a softmax classifier, 'scores' (the raw outputs, "
                + "no softmax) for an mse classifier, 'prediction' [N, outputs] for a regressor.",
                "Any layer sequence: images are reshaped to [N, C, H, W] for Conv, MaxPool and BatchNormalization "
                        + "(with its running statistics) and flattened before Gemm; dropout has no node. Standard "
                        + "operators only, opset 13, IR version 8."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the file is written", Main.EXIT_CONFIG + ":invalid option (an unknown --format, an "
                + "--output that exists)", Main.EXIT_DATA + ":the model file is missing or damaged"})
public final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model.bin written by train.")
    Path model;

    @Option(names = "--format", paramLabel = "NAME", defaultValue = "onnx", description = "The format to write: "
            + "onnx. Default: ${DEFAULT-VALUE}")
    String format;

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "The file to write, under a "
            + "temporary name renamed when complete.")
    Path output;

    @Option(names = "--overwrite", description = "Replace an existing --output; without it an existing file is "
            + "refused.")
    boolean overwrite;

    @Override
    public Integer call() throws IOException {
        TrainConfig.require(format.toLowerCase(Locale.ROOT).equals("onnx"),
                "--format must be onnx, got '" + format + "'");
        checkOutput();
        InputPaths.requireFile("--model", model.toString(), Main.MODEL_FILE);
        ModelFile.Model m = ModelFile.read(model);
        try {
            OnnxExport.write(m, output, overwrite);
        } catch (IllegalArgumentException e) {
            throw new TrainConfig.ConfigException("--format onnx: " + e.getMessage());
        } catch (FileAlreadyExistsException e) {
            throw new TrainConfig.ConfigException("--output " + output + " exists; pass --overwrite to replace it");
        } catch (IOException e) {
            throw new TrainConfig.ConfigException("--output " + output + " cannot be written: " + e);
        }
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s: ONNX opset %d (IR version %d), %,d bytes; input "
                        + "%s float32 [N, %d]; outputs %s%n", output, OnnxExport.OPSET, OnnxExport.IR_VERSION,
                Files.size(output), OnnxExport.INPUT, m.network().numInputs(), OnnxExport.describeOutputs(m));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** Refuses an --output that is a folder, exists without --overwrite, has no folder to go in, or is the model. */
    private void checkOutput() throws IOException {
        if (Files.isDirectory(output)) {
            throw new TrainConfig.ConfigException("--output " + output + " is a folder; name the file to write");
        }
        if (Files.exists(output)) {
            TrainConfig.require(!Files.exists(model) || !Files.isSameFile(output, model),
                    "--output " + output + " is the --model file itself");
            TrainConfig.require(overwrite, "--output " + output + " exists; pass --overwrite to replace it");
        }
        Path folder = output.toAbsolutePath().getParent();
        TrainConfig.require(folder != null && Files.isDirectory(folder),
                "--output " + output + ": folder " + folder + " does not exist");
    }
}
