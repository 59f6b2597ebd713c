package dev.sparknn.train;

import dev.sparknn.ops.EnumNames;
import java.util.Locale;

/** What a network predicts: a class (softmax or one-hot squared error) or real values (squared error). */
public enum Task {
    CLASSIFICATION, REGRESSION;

    public static Task parse(String name) {
        return EnumNames.parse(Task.class, "task", name);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
