package dev.sparknn.data;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import dev.sparknn.ops.Numbers;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.csv.CSVOptions;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The one CSV dialect of every table sparknn reads: training and test data, {@code evaluate} (through Spark's CSV
 * reader, {@link #reader}) and {@code predict} (one file in this JVM, {@link #read}), tokenised by the same
 * univocity parser with the settings Spark derives from {@link #OPTIONS}, so both see the same cells.
 *
 * <ul>
 *   <li>The first line is always a header, even when its names look like numbers ({@code 0,1}, as a DataFrame
 *       saved without column names writes it).</li>
 *   <li>Cells may be quoted ({@code "0.9"}); a quote inside a quoted cell is doubled.</li>
 *   <li>Column names lose a UTF-8 byte-order mark and the spaces around them ({@link #columnName}); cells are
 *       numbers read by {@link Numbers}, which allows spaces around them, or text that a table's encoding reads as
 *       categories ({@link TableEncoding}).</li>
 * </ul>
 */
public final class Csv {

    /**
     * Spark's CSV options. {@code enforceSchema=false}: each file's header is checked against the first one's, so
     * a shard with its columns in another order fails instead of being read by position.
     */
    static final Map<String, String> OPTIONS = Map.of("header", "true", "enforceSchema", "false",
            "mode", "FAILFAST");

    private Csv() {
    }

    /** A reader of CSV tables with {@link #OPTIONS}; rename its columns with {@link #columnName}. */
    static DataFrameReader reader(SparkSession spark) {
        return spark.read().options(OPTIONS);
    }

    /** A column name as its header spells it, without a byte-order mark and the spaces around it. */
    public static String columnName(String header) {
        String name = header == null ? "" : header;
        return (name.startsWith("\uFEFF") ? name.substring(1) : name).strip();
    }

    /**
     * One CSV file's header and records.
     *
     * @param columns the header's names, by {@link #columnName}
     * @param records every record after the header, each as its cells (null for an empty unquoted cell)
     * @param lines   per record, the line it ends on (1-based; the header is line 1)
     */
    public record Table(List<String> columns, List<String[]> records, List<Long> lines) {
    }

    /** The univocity settings Spark derives from {@link #OPTIONS}. */
    private static CsvParserSettings settings() {
        return new CSVOptions(scala.collection.immutable.Map$.MODULE$.from(CollectionConverters.asScala(OPTIONS)),
                false, "UTC").asParserSettings();
    }

    /**
     * The line (1-based; the header is line 1) of the first record of {@code file} whose cell in {@code column} is
     * {@code cell} (null: empty or missing), as Spark's reader sees the cells; -1 if none is. Reads the file from
     * the start, record by record: for an error message only.
     *
     * @param column the column by {@link #columnName}, or Spark's {@code _cN} for a column without a name
     */
    static long lineOf(FileSystem fs, Path file, String column, String cell) throws IOException {
        CsvParser parser = new CsvParser(settings());
        CompressionCodec codec = new CompressionCodecFactory(fs.getConf()).getCodec(file);
        InputStream raw = fs.open(file);
        try (Reader in = new InputStreamReader(codec == null ? raw : codec.createInputStream(raw),
                StandardCharsets.UTF_8)) {
            parser.beginParsing(in);
            try {
                String[] header = parser.parseNext();
                int index = -1;
                for (int i = 0; header != null && i < header.length && index < 0; i++) {
                    String h = header[i];
                    if (column.equals(h == null || h.isEmpty() ? "_c" + i : columnName(h))) {
                        index = i;
                    }
                }
                if (index < 0) {
                    return -1;
                }
                for (String[] r; (r = parser.parseNext()) != null; ) {
                    if (r.length == 1 && r[0] == null) {
                        continue;
                    }
                    String found = index < r.length ? r[index] : null;
                    // Spark reads an empty cell as null (its nullValue is the empty text).
                    if (cell == null ? found == null || found.isEmpty() : cell.equals(found)) {
                        return parser.getContext().currentLine();
                    }
                }
                return -1;
            } finally {
                parser.stopParsing();
            }
        }
    }

    /**
     * Reads a whole CSV file (local path or Hadoop URI; compressed if its name says so, as {@code .csv.gz}) as
     * Spark's CSV reader would with {@link #OPTIONS}.
     *
     * @throws InputException if the file is empty or not text, or two names are the same but for spaces around them
     */
    public static Table read(FileSystem fs, Path file) throws IOException {
        CsvParser parser = new CsvParser(settings());
        List<String[]> records = new ArrayList<>();
        List<Long> lines = new ArrayList<>();
        String[] header;
        CompressionCodec codec = new CompressionCodecFactory(fs.getConf()).getCodec(file);
        InputStream raw = fs.open(file);
        try (BufferedInputStream bytes = new BufferedInputStream(codec == null ? raw : codec.createInputStream(raw));
             Reader in = new InputStreamReader(bytes, StandardCharsets.UTF_8)) {
            // A binary file (an image, IDX data, gzip without a .gz name) is named for what it holds, not parsed.
            bytes.mark(FirstBytes.COUNT);
            byte[] head = bytes.readNBytes(FirstBytes.COUNT);
            bytes.reset();
            if (!FirstBytes.isText(head)) {
                throw new InputException(file + " " + FirstBytes.describe(head) + ", not CSV text"
                        + (FirstBytes.isGzip(head) ? " (give it a .gz name to have it decompressed)" : ""));
            }
            try {
                parser.beginParsing(in);
                header = parser.parseNext();
                if (header == null) {
                    throw new InputException(file + " is empty; a CSV table starts with a header line");
                }
                for (String[] r; (r = parser.parseNext()) != null; ) {
                    if (r.length == 1 && r[0] == null) {
                        continue;                                   // a blank line, as Spark skips it
                    }
                    records.add(r);
                    lines.add(parser.getContext().currentLine());
                }
            } finally {
                parser.stopParsing();
            }
        }
        // Spark's names for a header (CSVDataSource.makeSafeHeader, case-insensitive as by default): _cN for a
        // column without a name, name + N for each of a name given twice.
        Map<String, Integer> counts = new HashMap<>();
        for (String h : header) {
            if (h != null && !h.isEmpty()) {
                counts.merge(h.toLowerCase(Locale.ROOT), 1, Integer::sum);
            }
        }
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < header.length; i++) {
            String h = header[i];
            String spark = h == null || h.isEmpty() ? "_c" + i
                    : counts.get(h.toLowerCase(Locale.ROOT)) > 1 ? h + i : h;
            String name = columnName(spark);
            if (columns.contains(name)) {
                throw new InputException(file + ": the header names column '" + name + "' twice");
            }
            columns.add(name);
        }
        return new Table(List.copyOf(columns), records, lines);
    }
}
