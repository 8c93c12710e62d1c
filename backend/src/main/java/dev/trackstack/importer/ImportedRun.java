package dev.trackstack.importer;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A run as a source describes it, before its points.
 *
 * @param key             identifies the run within its source and format, the same on every import (an MLflow run
 *                        id, a W&B run id, a TensorBoard directory relative to the log directory): a second import
 *                        finds the run made by the first through it
 * @param project         the project the source names for it (an MLflow experiment, a W&B project), or null; the
 *                        import's project, when it gives one, takes every run
 * @param name            the run's name, or null
 * @param hyperparameters a JSON object of the run's parameters (config, params, hparams); empty for none
 * @param tags            the run's tags; empty for none
 * @param notes           the run's notes or description, or null
 * @param startedAt       when the run started, or null when the source does not say
 */
public record ImportedRun(String key, String project, String name, Map<String, Object> hyperparameters,
        List<String> tags, String notes, Instant startedAt) {
}
