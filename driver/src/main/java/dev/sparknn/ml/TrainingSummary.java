package dev.sparknn.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a fit did, epoch by epoch, as MLlib's training summaries report it; saved with the model
 * ({@code data/summary.json}).
 */
public final class TrainingSummary implements Serializable {

    private final double[] objectiveHistory;
    private final long totalIterations;
    private final Map<String, double[]> validationHistory;

    /**
     * @param objectiveHistory  mean training loss of each epoch, in the label's units for a regressor
     *                          (½·squared error; cross-entropy in nats for a classifier), weighted by weightCol
     * @param totalIterations   optimizer steps applied
     * @param validationHistory per metric, its value after each epoch on the validationIndicatorCol rows: "loss" and
     *                          "accuracy" (classifier) or "rmse" (regressor); empty without validation rows
     */
    TrainingSummary(double[] objectiveHistory, long totalIterations, Map<String, double[]> validationHistory) {
        this.objectiveHistory = objectiveHistory.clone();
        this.totalIterations = totalIterations;
        this.validationHistory = new LinkedHashMap<>(validationHistory);
    }

    /** Mean training loss of each epoch, first epoch first (MLlib's name). */
    public double[] objectiveHistory() {
        return objectiveHistory.clone();
    }

    /** Optimizer steps applied over the whole fit. */
    public long totalIterations() {
        return totalIterations;
    }

    /** Per metric name, its value on the validation rows after each epoch; empty if validationIndicatorCol was unset. */
    public Map<String, double[]> validationHistory() {
        return Collections.unmodifiableMap(validationHistory);
    }

    String toJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.putPOJO("objectiveHistory", objectiveHistory);
        root.put("totalIterations", totalIterations);
        ObjectNode valid = root.putObject("validationHistory");
        validationHistory.forEach(valid::putPOJO);
        return root.toString();
    }

    /** @throws IllegalArgumentException if {@code text} is not a summary's JSON */
    static TrainingSummary fromJson(String text) {
        try {
            JsonNode root = new ObjectMapper().readTree(text);
            Map<String, double[]> valid = new LinkedHashMap<>();
            root.get("validationHistory").fields().forEachRemaining(e -> valid.put(e.getKey(), doubles(e.getValue())));
            return new TrainingSummary(doubles(root.get("objectiveHistory")), root.get("totalIterations").asLong(),
                    valid);
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a training summary: " + e.getMessage(), e);
        }
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }
}
