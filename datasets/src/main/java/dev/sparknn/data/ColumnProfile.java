package dev.sparknn.data;

import dev.sparknn.ops.Numbers;
import java.io.Serializable;
import java.util.TreeSet;

/**
 * What one column's cells hold, over a pass of the table's rows: numbers (count, sum, range), texts (the distinct
 * levels, up to {@link #MAX_TEXTS}), empty cells, and the first cell of each kind by its place in the table, so
 * that a refusal names that cell. Profiles of parts of a table {@link #merge} into the table's.
 */
final class ColumnProfile implements Serializable {

    private static final long serialVersionUID = 1L;
    /** Distinct texts kept per column: enough for any class list; a feature column is capped lower. */
    static final int MAX_TEXTS = 10_000;

    /** A cell and where it is: its row's place in the table, and a Parquet row's index in its file (-1 for CSV). */
    record Cell(TableDataset.RowKey key, String text, long row) implements Serializable {
        static Cell first(Cell a, Cell b) {
            return a == null ? b : b == null ? a : a.key().compareTo(b.key()) <= 0 ? a : b;
        }

        String file() {
            return key.file();
        }
    }

    long numbers;
    long nulls;
    long texts;
    double sum;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    final TreeSet<String> levels = new TreeSet<>();
    boolean moreLevels;
    Cell firstNull;
    Cell firstText;
    /** The first cell that Java reads as a number but {@link Numbers} does not ({@code 1d}, {@code NaN}): never a
     *  level, always refused. */
    Cell firstOdd;

    void add(Object cell, TableDataset.RowKey key, long row) {
        if (cell == null) {
            nulls++;
            firstNull = Cell.first(firstNull, new Cell(key, null, row));
            return;
        }
        double v;
        if (cell instanceof Number n) {
            v = n.doubleValue();
        } else if (cell instanceof String s && Numbers.isDecimal(s)) {
            v = Double.parseDouble(s.strip());
        } else if (cell instanceof String s && javaNumber(s)) {
            firstOdd = Cell.first(firstOdd, new Cell(key, s, row));
            return;
        } else {
            texts++;
            String level = TableEncoding.level(cell);
            firstText = Cell.first(firstText, new Cell(key, String.valueOf(cell), row));
            if (levels.size() < MAX_TEXTS) {
                levels.add(level);
            } else if (!levels.contains(level)) {
                moreLevels = true;
            }
            return;
        }
        if (!Double.isFinite(v) || Math.abs(v) > Float.MAX_VALUE) {
            firstOdd = Cell.first(firstOdd, new Cell(key, String.valueOf(cell), row));
            return;
        }
        numbers++;
        sum += v;
        min = Math.min(min, v);
        max = Math.max(max, v);
    }

    /** Text Java's parser takes as a number although it is none of ours: a type suffix, hex, NaN, Infinity. */
    private static boolean javaNumber(String s) {
        try {
            Double.parseDouble(s.strip());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** This profile and {@code o}'s, as one (this one, changed). */
    ColumnProfile merge(ColumnProfile o) {
        numbers += o.numbers;
        nulls += o.nulls;
        texts += o.texts;
        sum += o.sum;
        min = Math.min(min, o.min);
        max = Math.max(max, o.max);
        for (String l : o.levels) {
            if (levels.size() < MAX_TEXTS) {
                levels.add(l);
            } else if (!levels.contains(l)) {
                moreLevels = true;
            }
        }
        moreLevels |= o.moreLevels;
        firstNull = Cell.first(firstNull, o.firstNull);
        firstText = Cell.first(firstText, o.firstText);
        firstOdd = Cell.first(firstOdd, o.firstOdd);
        return this;
    }
}
