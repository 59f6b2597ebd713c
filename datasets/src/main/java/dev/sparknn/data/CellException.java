package dev.sparknn.data;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A bad cell of a table, found in a task: the file, the column and the cell's text (null for an empty cell), and
 * for Parquet the row's index in its file. Spark's CSV reader keeps no line numbers, so a task cannot name the
 * line; {@link #located} finds it on the driver by reading the file again up to the first record whose cell in
 * that column is this one (every check of a cell depends on its text alone, so that record fails the same check).
 * The normal path pays nothing for it.
 */
public final class CellException extends InputException {

    private static final long serialVersionUID = 1L;

    private final String file;
    private final String column;
    private final String cell;
    private final long row;
    private final String what;

    /**
     * @param column the column as its header names it
     * @param cell   the cell's text as the reader gave it, null for an empty cell
     * @param row    a Parquet row's index in its file (0-based), -1 for CSV
     * @param what   what is wrong, a sentence that names the column and the value
     */
    public CellException(String file, String column, String cell, long row, String what) {
        super(file + (row >= 0 ? " row " + (row + 1) : "") + ": " + what);
        this.file = file;
        this.column = column;
        this.cell = cell;
        this.row = row;
        this.what = what;
    }

    /**
     * This failure with its line number when the file is CSV ({@code FILE line N: ...}, lines 1-based, the header
     * is line 1); itself for Parquet (which names the row) or when the line cannot be found.
     */
    public InputException located(Configuration conf) {
        if (row >= 0) {
            return this;
        }
        try {
            Path path = new Path(file);
            long line = Csv.lineOf(path.getFileSystem(conf), path, column, cell);
            return line > 0 ? new InputException(file + " line " + line + ": " + what) : this;
        } catch (IOException | RuntimeException e) {
            return this;
        }
    }

    /**
     * Runs a Spark action over a table's rows; a {@link CellException} anywhere in its failure's causes is thrown
     * {@link #located}, anything else as it came.
     */
    public static <T> T locating(Configuration conf, java.util.function.Supplier<T> action) throws InputException {
        try {
            return action.get();
        } catch (Exception e) {       // Spark's job failure, a checked SparkException thrown from Scala
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof CellException c) {
                    throw c.located(conf);
                }
            }
            throw CellException.<RuntimeException>unchecked(e);
        }
    }

    /** Rethrows {@code e} as it is, checked or not. */
    @SuppressWarnings("unchecked")
    private static <E extends Exception> E unchecked(Exception e) throws E {
        throw (E) e;
    }
}
