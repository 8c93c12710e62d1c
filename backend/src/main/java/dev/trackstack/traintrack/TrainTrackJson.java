package dev.trackstack.traintrack;

import java.time.OffsetDateTime;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;

/** What TrainTrack's API answers, field for field as its clients read them (snake_case, UUID ids). */
final class TrainTrackJson {

    private TrainTrackJson() {
    }

    record Model(String id, String name, @JsonProperty("project_name") String projectName,
            @JsonProperty("created_at") OffsetDateTime createdAt) {
    }

    /** A run; the hyperparameters are the JSON object as stored. */
    record Run(String id, @JsonProperty("model_id") String modelId, @JsonRawValue String hyperparameters,
            String status, @JsonProperty("created_at") OffsetDateTime createdAt) {
    }

    /** A loss value (no metric name) or a metric value. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Point(@JsonProperty("run_id") String runId, long step, String split,
            @JsonProperty("metric_name") String metricName, double value,
            @JsonProperty("created_at") OffsetDateTime createdAt) {
    }

    /** TrainTrack's (FastAPI's) answer to a deletion and to an error: {@code detail}; errors add our code. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Detail(String detail, String code) {
    }
}
