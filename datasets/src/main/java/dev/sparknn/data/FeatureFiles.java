package dev.sparknn.data;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Unlabelled inputs for prediction, as rows of {@code numFeatures} values in {@code [0, 1]}, from
 * <ul>
 *   <li>an IDX images file (raw or .gz): bytes scaled by 1/255, as in training;</li>
 *   <li>a PNG file, or a folder of them (sorted by name): one image each, converted to grey levels in
 *       {@code [0, 1]}, white = 1 as in MNIST; {@code invert} for dark-on-light drawings;</li>
 *   <li>a CSV file (name ending in .csv): one row of {@code numFeatures} numbers per line, an optional header.</li>
 * </ul>
 */
public final class FeatureFiles {

    private FeatureFiles() {
    }

    /**
     * Rows read from one input.
     *
     * @param values  {@code [rows, numFeatures]}
     * @param sources per row, the file it came from and its index there, e.g. {@code digits.csv:3}
     */
    public record Features(int rows, float[] values, List<String> sources) {
    }

    public static Features read(Configuration conf, String input, int numFeatures, boolean invert)
            throws IOException {
        Path path = new Path(input);
        FileSystem fs = path.getFileSystem(conf);
        if (!fs.exists(path)) {
            throw new InputException("input " + input + " does not exist");
        }
        String name = path.getName().toLowerCase(Locale.ROOT);
        if (fs.getFileStatus(path).isDirectory()) {
            List<Path> pngs = new ArrayList<>();
            for (FileStatus f : fs.listStatus(path)) {
                if (f.isFile() && f.getPath().getName().toLowerCase(Locale.ROOT).endsWith(".png")) {
                    pngs.add(f.getPath());
                }
            }
            if (pngs.isEmpty()) {
                throw new InputException("folder " + input + " holds no .png files");
            }
            pngs.sort(null);
            return images(fs, pngs, numFeatures, invert);
        }
        if (name.endsWith(".png")) {
            return images(fs, List.of(path), numFeatures, invert);
        }
        if (name.endsWith(".csv")) {
            return csv(fs, path, numFeatures);
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
            BufferedImage image;
            try (InputStream in = fs.open(file)) {
                image = ImageIO.read(in);
            } catch (IOException e) {
                throw new InputException(file + " is not a readable PNG image: " + e.getMessage());
            }
            if (image == null) {
                throw new InputException(file + " is not a readable PNG image");
            }
            int side = (int) Math.round(Math.sqrt(numFeatures));
            boolean squareModel = side * side == numFeatures;
            if (image.getWidth() * image.getHeight() != numFeatures
                    || squareModel && image.getWidth() != side) {
                throw new InputException(String.format("%s is %dx%d = %d pixels, the model takes %d%s", file,
                        image.getWidth(), image.getHeight(), image.getWidth() * image.getHeight(), numFeatures,
                        squareModel ? " (" + side + "x" + side + ")" : ""));
            }
            int at = i * numFeatures;
            // 8-bit grey PNGs (MNIST's kind) are read as stored; getRGB would pass them through a colour conversion.
            boolean grey8 = image.getType() == BufferedImage.TYPE_BYTE_GRAY;
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    float grey;
                    if (grey8) {
                        grey = image.getRaster().getSample(x, y, 0) / 255f;
                    } else {
                        int rgb = image.getRGB(x, y);
                        grey = (0.299f * (rgb >> 16 & 0xff) + 0.587f * (rgb >> 8 & 0xff) + 0.114f * (rgb & 0xff)) / 255f;
                    }
                    values[at++] = invert ? 1f - grey : grey;
                }
            }
            sources.add(file.getName());
        }
        return new Features(files.size(), values, sources);
    }

    private static Features csv(FileSystem fs, Path file, int numFeatures) throws IOException {
        List<float[]> rows = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",", -1);
                // A header has no numeric cell; a data row whose first cell is broken is an error, not a header.
                if (lineNo == 1 && java.util.Arrays.stream(cells).noneMatch(FeatureFiles::looksNumeric)) {
                    continue;
                }
                if (cells.length != numFeatures) {
                    throw new InputException(String.format("%s line %d has %d values, the model takes %d", file, lineNo,
                            cells.length, numFeatures));
                }
                float[] row = new float[numFeatures];
                for (int j = 0; j < numFeatures; j++) {
                    try {
                        row[j] = Float.parseFloat(cells[j].trim());
                    } catch (NumberFormatException e) {
                        throw new InputException(String.format("%s line %d column %d: '%s' is not a number", file,
                                lineNo, j + 1, cells[j]));
                    }
                    if (!Float.isFinite(row[j])) {
                        throw new InputException(String.format("%s line %d column %d: %s is not finite", file, lineNo,
                                j + 1, cells[j]));
                    }
                }
                rows.add(row);
                sources.add(file.getName() + ":" + (rows.size() - 1));
            }
        }
        if (rows.isEmpty()) {
            throw new InputException(file + " has no data rows");
        }
        float[] values = new float[rows.size() * numFeatures];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, values, i * numFeatures, numFeatures);
        }
        return new Features(rows.size(), values, sources);
    }

    private static boolean looksNumeric(String cell) {
        try {
            Float.parseFloat(cell.trim());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
