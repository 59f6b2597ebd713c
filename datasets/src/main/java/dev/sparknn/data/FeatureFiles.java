package dev.sparknn.data;

import dev.sparknn.ops.EnumNames;
import dev.sparknn.ops.Numbers;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Unlabelled inputs for prediction, as rows of {@code numFeatures} values, from
 * <ul>
 *   <li>an IDX images file (raw or .gz): bytes scaled by 1/255, as in training;</li>
 *   <li>a PNG file (by its signature), or a folder of them (sorted by name): one image each, of any colour type
 *       and bit depth, converted to grey levels in {@code [0, 1]} from its raw samples ({@link #greyLevels}),
 *       white = 1 as in MNIST; {@code invert} for dark-on-light drawings;</li>
 *   <li>a CSV file read as training reads tables ({@link Csv}): a header, then rows of numbers; the model's
 *       features are found by name where it has names.</li>
 * </ul>
 * Which of these an input is comes from its name ({@link Format#AUTO}), or is given ({@link Format}).
 */
public final class FeatureFiles {

    private FeatureFiles() {
    }

    /**
     * How an input is read. {@code AUTO} goes by the name: a folder holds PNG images (its {@code .png} files), a
     * {@code .png} file is an image, a {@code .csv} or {@code .csv.gz} file a table, anything else an IDX images
     * file. The others read the input as that kind whatever its name says; {@code PNG} takes every file of a folder
     * but hidden ones (names starting with {@code .} or {@code _}, as Hadoop hides them).
     */
    public enum Format {
        AUTO, IDX, PNG, CSV;

        /**
         * The format named {@code name}, case-insensitive.
         *
         * @throws IllegalArgumentException naming it and listing the formats
         */
        public static Format parse(String name) {
            return EnumNames.parse(Format.class, "format", name);
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Rows read from one input.
     *
     * @param values   {@code [rows, numFeatures]}
     * @param sources  per row, the file it came from and its index there, e.g. {@code digits.csv:3}
     * @param warnings what the reader guessed, for the user to check (a CSV header read by position)
     */
    public record Features(int rows, float[] values, List<String> sources, List<String> warnings) {
        public Features(int rows, float[] values, List<String> sources) {
            this(rows, values, sources, List.of());
        }
    }

    /** {@link #read(Configuration, String, int, List, boolean)} for a model whose inputs have no names. */
    public static Features read(Configuration conf, String input, int numFeatures, boolean invert)
            throws IOException {
        return read(conf, input, numFeatures, List.of(), invert);
    }

    /** {@link #read(Configuration, String, Format, int, List, boolean, boolean)} by the names, with model names. */
    public static Features read(Configuration conf, String input, int numFeatures, List<String> names, boolean invert)
            throws IOException {
        return read(conf, input, Format.AUTO, numFeatures, names, false, invert);
    }

    /**
     * The kind of input {@code input} is read as: {@code format} itself, or for {@link Format#AUTO} the kind its
     * name says; never {@code AUTO}.
     *
     * @throws InputException if {@code input} does not exist
     */
    public static Format resolve(Configuration conf, String input, Format format) throws IOException {
        Path path = new Path(input);
        FileSystem fs = path.getFileSystem(conf);
        if (!fs.exists(path)) {
            throw new InputException("input " + input + " does not exist");
        }
        if (format != Format.AUTO) {
            return format;
        }
        String name = path.getName().toLowerCase(Locale.ROOT);
        if (fs.getFileStatus(path).isDirectory() || name.endsWith(".png")) {
            return Format.PNG;
        }
        return TableDataset.Format.fromName(name) == TableDataset.Format.CSV ? Format.CSV : Format.IDX;
    }

    /**
     * Reads the rows of {@code input}.
     *
     * @param format how to read it; {@link Format#AUTO} by its name ({@link #resolve})
     * @param names  CSV: the columns to read, in input order, or empty to read the columns by position
     * @param byName CSV: whether every one of {@code names} must be a column (the user listed them); otherwise they
     *               are the model's stored names, and a header that names none of them is read by position, with a
     *               warning
     * @param invert PNG: invert the grey levels (dark on light drawings), after compositing any transparency over
     *               a white background (black without it), so that transparent pixels always become 0
     * @throws InputException naming the file, and the line and column, of what cannot be read; for a file that is
     *                        not what {@code format} says, what its bytes are
     * @throws IllegalArgumentException if {@code names} is neither empty nor {@code numFeatures} long
     */
    public static Features read(Configuration conf, String input, Format format, int numFeatures, List<String> names,
                                boolean byName, boolean invert) throws IOException {
        return read(conf, input, format, numFeatures, names, byName, invert, null);
    }

    /**
     * {@link #read(Configuration, String, Format, int, List, boolean, boolean)} for a model that keeps a table
     * encoding (null: none): a CSV table's columns are then the encoding's, found by name, and their cells encoded
     * as in training (categorical levels one-hot, an unseen level all zeros and counted in a warning, an empty
     * numeric cell the training mean). Other inputs are refused, the model takes table columns. A header that
     * names none of them is read by position, with a warning, as without an encoding, unless a column is
     * categorical.
     */
    public static Features read(Configuration conf, String input, Format format, int numFeatures, List<String> names,
                                boolean byName, boolean invert, TableEncoding encoding) throws IOException {
        if (encoding != null) {
            Format kind = resolve(conf, input, format);
            if (kind != Format.CSV) {
                throw new InputException(String.format("input %s is read as %s, but the model takes the table "
                        + "columns %s; give a CSV table", input, kind, encoding.columnNames()));
            }
            Path path = new Path(input);
            boolean numeric = encoding.columns().stream().allMatch(c -> c instanceof TableEncoding.Numeric);
            return csv(path.getFileSystem(conf), path, encoding.columns().size(), encoding.columnNames(),
                    byName || !numeric, byName, encoding);
        }
        if (!names.isEmpty() && names.size() != numFeatures) {
            throw new IllegalArgumentException(names.size() + " column names for " + numFeatures + " features");
        }
        Format kind = resolve(conf, input, format);
        Path path = new Path(input);
        FileSystem fs = path.getFileSystem(conf);
        boolean folder = fs.getFileStatus(path).isDirectory();
        if (folder && kind != Format.PNG) {
            throw new InputException(String.format("input %s is a folder; --format %s reads one file", input, kind));
        }
        if (kind == Format.PNG) {
            List<Path> files = new ArrayList<>();
            if (folder) {
                int others = 0;
                for (FileStatus f : fs.listStatus(path)) {
                    String name = f.getPath().getName();
                    if (!f.isFile() || name.startsWith(".") || name.startsWith("_")) {
                        continue;
                    }
                    if (format == Format.PNG || name.toLowerCase(Locale.ROOT).endsWith(".png")) {
                        // Under the folder as the user spelt it, as a single file is named: not file:/... .
                        files.add(new Path(path, name));
                    } else {
                        others++;
                    }
                }
                if (files.isEmpty()) {
                    throw new InputException("folder " + input + " holds no " + (format == Format.PNG ? "files"
                            : ".png files" + (others > 0 ? " (" + others + " other file" + (others == 1 ? "" : "s")
                                    + ": --format png reads every file as PNG)" : "")));
                }
                files.sort(null);
            } else {
                files.add(path);
            }
            return images(fs, files, numFeatures, invert);
        }
        if (kind == Format.CSV) {
            return csv(fs, path, numFeatures, names, byName, byName, null);
        }
        IdxHeader header = IdxReader.readHeader(conf, input, IdxReader.IMAGES_MAGIC);
        if (header.rowLength() != numFeatures) {
            throw new InputException(String.format("%s has %d values per image, the model takes %d", input,
                    header.rowLength(), numFeatures));
        }
        float[] values = new float[header.count() * numFeatures];
        IdxReader.readImages(conf, header, 0, header.count(), values, 0);
        List<String> sources = new ArrayList<>(header.count());
        for (int i = 0; i < header.count(); i++) {
            sources.add(path.getName() + ":" + i);
        }
        return new Features(header.count(), values, sources);
    }

    private static Features images(FileSystem fs, List<Path> files, int numFeatures, boolean invert)
            throws IOException {
        float[] values = new float[files.size() * numFeatures];
        List<String> sources = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            // The signature first: ImageIO's other readers take what is no image (WBMP decodes IDX bytes).
            byte[] head = FirstBytes.read(fs.getConf(), file.toString());
            if (!FirstBytes.isPng(head)) {
                throw new InputException(file + " is not a readable PNG image: it " + FirstBytes.describe(head));
            }
            BufferedImage image;
            String problem = null;
            try (InputStream in = fs.open(file)) {
                image = ImageIO.read(in);
            } catch (IOException e) {
                image = null;
                problem = e.getMessage();
            }
            if (image == null) {
                throw new InputException(file + " is not a readable PNG image: its PNG data is damaged or cut short"
                        + (problem == null ? "" : " (" + problem + ")"));
            }
            int side = (int) Math.round(Math.sqrt(numFeatures));
            boolean squareModel = side * side == numFeatures;
            if (image.getWidth() * image.getHeight() != numFeatures
                    || squareModel && image.getWidth() != side) {
                throw new InputException(String.format("%s is %dx%d = %d pixels, the model takes %d%s", file,
                        image.getWidth(), image.getHeight(), image.getWidth() * image.getHeight(), numFeatures,
                        squareModel ? " (" + side + "x" + side + ")" : ""));
            }
            float[] grey = greyLevels(image, invert ? 1f : 0f, file);
            for (int j = 0; j < numFeatures; j++) {
                values[i * numFeatures + j] = invert ? 1f - grey[j] : grey[j];
            }
            sources.add(file.getName());
        }
        return new Features(files.size(), values, sources);
    }

    /**
     * The grey level in {@code [0, 1]} of every pixel, row by row, from the raw sample values of any PNG colour type
     * and bit depth: grey as stored ({@code v / (2^depth − 1)}), colour as its luma {@code 0.299·R + 0.587·G +
     * 0.114·B} (ITU-R BT.601, on the stored values), a palette entry's values; no colour-space conversion (Java's
     * {@code getRGB} brightens grey through a linear-grey space, 128 to 188). Transparency (an alpha channel, or a
     * palette's or a tRNS chunk's as the PNG reader exposes it) is composited over {@code background}.
     *
     * @throws InputException for an image that is neither grey, grey and alpha, colour nor colour and alpha
     */
    static float[] greyLevels(BufferedImage image, float background, Path file) throws InputException {
        Raster raster = image.getRaster();
        ColorModel cm = image.getColorModel();
        int w = image.getWidth();
        int h = image.getHeight();
        float[] out = new float[w * h];
        if (cm instanceof IndexColorModel palette) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int index = raster.getSample(x, y, 0);
                    float grey = luma(palette.getRed(index), palette.getGreen(index), palette.getBlue(index)) / 255f;
                    out[y * w + x] = over(grey, palette.getAlpha(index) / 255f, background);
                }
            }
            return out;
        }
        int bands = raster.getNumBands();
        boolean alpha = cm.hasAlpha();
        int colours = bands - (alpha ? 1 : 0);
        if (colours != 1 && colours != 3) {
            throw new InputException(String.format("%s has %d colour channels%s; expected grey or RGB", file,
                    colours, alpha ? " and alpha" : ""));
        }
        float[] max = new float[bands];
        for (int b = 0; b < bands; b++) {
            max[b] = (float) ((1L << raster.getSampleModel().getSampleSize(b)) - 1);
        }
        boolean premultiplied = cm.isAlphaPremultiplied();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float grey = colours == 1 ? raster.getSample(x, y, 0) / max[0]
                        : luma(raster.getSample(x, y, 0) / max[0], raster.getSample(x, y, 1) / max[1],
                                raster.getSample(x, y, 2) / max[2]);
                float a = alpha ? raster.getSample(x, y, bands - 1) / max[bands - 1] : 1f;
                if (premultiplied && a > 0) {
                    grey /= a;
                }
                out[y * w + x] = over(grey, a, background);
            }
        }
        return out;
    }

    private static float luma(float r, float g, float b) {
        return 0.299f * r + 0.587f * g + 0.114f * b;
    }

    /** {@code value} with opacity {@code alpha} over an opaque {@code background}. */
    private static float over(float value, float alpha, float background) {
        return alpha == 1f ? value : value * alpha + background * (1f - alpha);
    }

    /**
     * A CSV table read as training reads it ({@link Csv}): the header's names, then rows of numbers. The columns
     * {@code names} lists are found by name, in any order and among other columns. Unless {@code byName}, a header
     * that names none of them (a table saved without names, {@code 0,1,...}) is read by position, with a warning.
     * Without names the columns are read by position.
     *
     * @param listed whether {@code names} are the user's {@code --features}, rather than the model's stored names
     *               (for the message of a missing column)
     */
    private static Features csv(FileSystem fs, Path file, int numFeatures, List<String> names, boolean byName,
                                boolean listed, TableEncoding encoding) throws IOException {
        Csv.Table table = Csv.read(fs, file);
        List<String> columns = table.columns();
        List<String> warnings = new ArrayList<>();
        int[] at = new int[numFeatures];
        List<String> missing = names.stream().filter(n -> !columns.contains(n)).toList();
        if (!names.isEmpty() && (byName || missing.size() < names.size())) {
            if (!missing.isEmpty()) {
                throw new InputException(String.format("%s has no column %s %s; its columns are %s", file,
                        missing.stream().map(n -> "'" + n + "'").collect(Collectors.joining(", ")),
                        listed ? "named by --features " + String.join(",", names)
                                : "that the model was trained on (its features " + String.join(",", names) + ")",
                        columns));
            }
            for (int j = 0; j < numFeatures; j++) {
                at[j] = columns.indexOf(names.get(j));
            }
        } else {
            if (columns.size() != numFeatures) {
                // Naming columns with --features helps only a table with more columns than the model's inputs.
                throw new InputException(String.format("%s has %d columns %s, the model takes %d%s", file,
                        columns.size(), columns, numFeatures, !names.isEmpty() ? " named " + names
                                : columns.size() > numFeatures ? "; the model stores no feature names, so name its "
                                + "columns with --features"
                                : " values per row; give a table of " + numFeatures + " feature columns"));
            }
            if (!names.isEmpty()) {
                warnings.add(String.format("%s: the header %s names none of the model's features %s; reading its "
                        + "columns by position as %s (the first line is always a header)", file, columns, names,
                        names));
            } else if (columns.stream().allMatch(Numbers::isDecimal)) {
                warnings.add(String.format("%s: the header %s is all numbers; it is read as column names, not as a "
                        + "row (the first line is always a header)", file, columns));
            }
            for (int j = 0; j < numFeatures; j++) {
                at[j] = j;
            }
        }
        int n = table.records().size();
        if (n == 0) {
            throw new InputException(file + " has a header but no data rows");
        }
        int width = encoding == null ? numFeatures : encoding.width();
        float[] values = new float[n * width];
        List<String> sources = new ArrayList<>(n);
        long[] unseen = new long[numFeatures];
        String[] firstUnseen = new String[numFeatures];
        for (int r = 0; r < n; r++) {
            String[] cells = table.records().get(r);
            long line = table.lines().get(r);
            if (cells.length != columns.size()) {
                throw new InputException(String.format("%s line %d has %d cells, the header %d", file, line,
                        cells.length, columns.size()));
            }
            if (encoding != null) {
                int x = r * width;
                for (int j = 0; j < numFeatures; j++) {
                    TableEncoding.Column c = encoding.columns().get(j);
                    String cell = cells[at[j]];
                    boolean empty = cell == null || cell.isBlank();
                    if (c instanceof TableEncoding.Categorical k) {
                        int level = empty ? -1 : k.indexOf(TableEncoding.level(cell));
                        if (level >= 0) {
                            values[x + level] = 1f;
                        } else if (!empty && unseen[j]++ == 0) {
                            firstUnseen[j] = String.format("'%s' at line %d", cell, line);
                        }
                    } else if (empty && !Double.isNaN(((TableEncoding.Numeric) c).fill())) {
                        values[x] = (float) ((TableEncoding.Numeric) c).fill();
                    } else {
                        values[x] = cellValue(file, line, c.name(), empty ? "" : cell);
                    }
                    x += c.width();
                }
                sources.add(file.getName() + ":" + r);
                continue;
            }
            for (int j = 0; j < numFeatures; j++) {
                String cell = cells[at[j]] == null ? "" : cells[at[j]];
                if (!Numbers.isDecimal(cell)) {
                    throw new InputException(String.format("%s line %d column '%s': '%s' is not a decimal number",
                            file, line, columns.get(at[j]), cell));
                }
                float v = Float.parseFloat(cell.strip());
                if (!Float.isFinite(v)) {
                    throw new InputException(String.format("%s line %d column '%s': %s is not finite", file, line,
                            columns.get(at[j]), cell));
                }
                values[r * numFeatures + j] = v;
            }
            sources.add(file.getName() + ":" + r);
        }
        for (int j = 0; j < numFeatures; j++) {
            if (unseen[j] > 0) {
                warnings.add(String.format("%s: column '%s' holds a level unseen in training in %,d of %,d rows "
                        + "(first %s), encoded as no level (all zeros); the model knows %s", file, names.get(j),
                        unseen[j], n, firstUnseen[j], ((TableEncoding.Categorical) encoding.columns().get(j))
                                .levels()));
            }
        }
        return new Features(n, values, sources, warnings);
    }

    /** A numeric cell's value, or a refusal naming the file, line, column and cell. */
    private static float cellValue(Path file, long line, String column, String cell) throws InputException {
        if (!Numbers.isDecimal(cell)) {
            throw new InputException(String.format("%s line %d column '%s': '%s' is not a decimal number", file,
                    line, column, cell));
        }
        float v = Float.parseFloat(cell.strip());
        if (!Float.isFinite(v)) {
            throw new InputException(String.format("%s line %d column '%s': %s is not finite", file, line, column,
                    cell));
        }
        return v;
    }
}
