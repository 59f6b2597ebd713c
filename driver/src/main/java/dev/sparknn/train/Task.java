package dev.sparknn.train;

import dev.sparknn.data.TableDataset;
import dev.sparknn.ops.EnumNames;
import java.util.Locale;

/** What a network predicts: a class (softmax or one-hot squared error) or real values (squared error). */
public enum Task {
    CLASSIFICATION, REGRESSION;

    public static Task parse(String name) {
        return EnumNames.parse(Task.class, "task", name);
    }

    /**
     * What a table's labels are read as before its class count is known (to count the classes, or to describe the
     * table): real values for regression; for classification, class indices of any size, or class names.
     */
    public TableDataset.Target anyTableTarget() {
        return this == REGRESSION ? TableDataset.Target.values() : TableDataset.Target.classes(Integer.MAX_VALUE);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
