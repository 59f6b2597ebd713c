package dev.sparknn.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How a table's cells become a network's inputs and classes, learnt from the training table and kept in the model,
 * so that test tables, {@code evaluate} and {@code predict} encode their cells the same way.
 *
 * <ul>
 *   <li>A {@link Numeric} column is one input: its number, or {@code fill} (the training mean) for an empty cell.
 *       It keeps the training range, which {@code predict} and {@code evaluate} compare their inputs with.</li>
 *   <li>A {@link Categorical} column (text or boolean cells) is one input per level, one-hot, the levels sorted by
 *       name (Unicode order); an empty cell, or a level unseen in training, is all zeros.</li>
 * </ul>
 *
 * @param columns the feature columns, in input order
 * @param label   the label column the model was trained on, which {@code evaluate} reads unless told otherwise
 * @param classes the class names, sorted by name, whose positions are the class indices; empty when the labels
 *                are class indices (or for regression)
 */
public record TableEncoding(List<Column> columns, String label, List<String> classes) implements Serializable {

    /** The levels a categorical column may have; a column with more is refused with a message naming it. */
    public static final int MAX_LEVELS = 100;

    private static final ObjectMapper JSON = new ObjectMapper();

    public TableEncoding {
        columns = List.copyOf(columns);
        classes = List.copyOf(classes);
    }

    /** A feature column. */
    public sealed interface Column extends Serializable permits Numeric, Categorical {
        /** The column's name in the table. */
        String name();

        /** How many of the training table's cells in it were empty. */
        long empty();

        /** How many inputs it gives. */
        int width();
    }

    /**
     * A numeric column.
     *
     * @param fill  the value of an empty cell (the training mean), or NaN to refuse empty cells
     * @param min   the smallest training value
     * @param max   the largest training value
     * @param empty the training table's empty cells in this column
     */
    public record Numeric(String name, double fill, double min, double max, long empty) implements Column {
        @Override
        public int width() {
            return 1;
        }
    }

    /** A categorical column: one input per level, in this (sorted) order. */
    public record Categorical(String name, List<String> levels, long empty) implements Column {
        public Categorical {
            levels = List.copyOf(levels);
        }

        @Override
        public int width() {
            return levels.size();
        }

        /** The level's input, 0-based, or -1 for a level not seen in training. */
        public int indexOf(String level) {
            int i = Collections.binarySearch(levels, level);
            return i < 0 ? -1 : i;
        }
    }

    /** The inputs per row. */
    public int width() {
        return columns.stream().mapToInt(Column::width).sum();
    }

    /** The feature columns' names, in order. */
    public List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }

    /** Each input's name: a numeric column's own, {@code column=level} for a level of a categorical one. */
    public List<String> inputNames() {
        List<String> names = new ArrayList<>();
        for (Column c : columns) {
            if (c instanceof Categorical k) {
                k.levels().forEach(l -> names.add(c.name() + "=" + l));
            } else {
                names.add(c.name());
            }
        }
        return names;
    }

    /** Whether any column is categorical or the classes have names: whether a model must keep this encoding. */
    public boolean matters() {
        return !classes.isEmpty() || columns.stream().anyMatch(c -> c instanceof Categorical);
    }

    /**
     * One line per column with empty training cells, saying how many and what they became, e.g.
     * {@code column 'f2' has 12 empty cells, filled with the training mean 0.998}.
     */
    public List<String> emptyCells() {
        List<String> lines = new ArrayList<>();
        for (Column c : columns) {
            if (c.empty() > 0) {
                lines.add(String.format("column '%s' has %,d empty cell%s, %s", c.name(), c.empty(),
                        c.empty() == 1 ? "" : "s", c instanceof Numeric n ? "filled with the training mean "
                                + (float) n.fill()
                                : "encoded as no level (all zeros)"));
            }
        }
        return lines;
    }

    /** A level's text as the encoding compares it: a boolean cell as {@code true}/{@code false}. */
    public static String level(Object cell) {
        return String.valueOf(cell).strip();
    }

    /** This encoding as JSON, as a model file keeps it. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode cols = root.putArray("columns");
        for (Column c : columns) {
            ObjectNode o = cols.addObject().put("name", c.name()).put("empty", c.empty());
            if (c instanceof Numeric n) {
                o.put("type", "numeric").put("min", n.min()).put("max", n.max());
                if (!Double.isNaN(n.fill())) {
                    o.put("fill", n.fill());                    // absent: empty cells are refused
                }
            } else {
                ArrayNode levels = o.put("type", "categorical").putArray("levels");
                ((Categorical) c).levels().forEach(levels::add);
            }
        }
        root.put("label", label);
        ArrayNode names = root.putArray("classes");
        classes.forEach(names::add);
        return root.toString();
    }

    /**
     * The encoding of {@link #toJson}.
     *
     * @throws IllegalArgumentException naming what is missing or malformed
     */
    public static TableEncoding fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("the table encoding is not JSON: " + e.getMessage());
        }
        List<Column> columns = new ArrayList<>();
        for (JsonNode c : root.path("columns")) {
            String name = c.path("name").asText("");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("a column of the table encoding has no name");
            }
            switch (c.path("type").asText()) {
                case "numeric" -> columns.add(new Numeric(name, c.path("fill").asDouble(Double.NaN),
                        c.path("min").asDouble(), c.path("max").asDouble(), c.path("empty").asLong()));
                case "categorical" -> {
                    List<String> levels = new ArrayList<>();
                    c.path("levels").forEach(l -> levels.add(l.asText()));
                    columns.add(new Categorical(name, levels, c.path("empty").asLong()));
                }
                default -> throw new IllegalArgumentException("column '" + name + "' of the table encoding has type '"
                        + c.path("type").asText() + "'");
            }
        }
        List<String> classes = new ArrayList<>();
        root.path("classes").forEach(n -> classes.add(n.asText()));
        return new TableEncoding(columns, root.path("label").asText(""), classes);
    }
}
