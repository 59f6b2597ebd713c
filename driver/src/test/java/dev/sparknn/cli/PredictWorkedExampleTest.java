package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparknn.ops.WorkedExampleTest;
import dev.sparknn.store.ModelFile;
import dev.sparknn.train.Task;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The book's worked example (see {@link WorkedExampleTest}) through a model file and {@code predict}. */
class PredictWorkedExampleTest {

    @TempDir
    Path tmp;

    @Test
    void predictOnAModelFileOfTheBooksWeightsGivesTheBooksValue() throws Exception {
        Path model = tmp.resolve("book.bin");
        ModelFile.write(model, WorkedExampleTest.network(), Task.REGRESSION, WorkedExampleTest.params());
        Path input = Files.writeString(tmp.resolve("x.csv"), "x1,x2\n2.3,1.5\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "predict", "--model",
                model.toString(), "--input", input.toString());
        assertEquals(0, code, err.toString());
        List<String> lines = out.toString().lines().toList();
        assertEquals("source,y0", lines.get(0));
        // predict prints 6 significant digits (%.6g): 0.382884, within WorkedExampleTest.TOLERANCE of the book.
        double y = Double.parseDouble(lines.get(1).split(",")[1]);
        assertEquals(WorkedExampleTest.BOOK_OUTPUT, y, 5e-7 + WorkedExampleTest.TOLERANCE, lines.get(1));
        assertEquals("0.382884", lines.get(1).split(",")[1]);
    }
}
