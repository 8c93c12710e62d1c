package dev.trackstack.importer.mlflow;

import java.util.Comparator;
import java.util.Map;

/**
 * A run as every MLflow store describes it (file store, SQL database, REST API), before it is mapped.
 *
 * @param status    MLflow's status name: RUNNING, SCHEDULED, FINISHED, FAILED or KILLED
 * @param startTime milliseconds since the epoch, or null
 * @param endTime   milliseconds since the epoch, or null
 * @param deleted   lifecycle_stage {@code deleted}: in MLflow's trash
 */
record MlflowRun(String id, String name, String status, Long startTime, Long endTime, boolean deleted,
        String artifactUri, Map<String, String> params, Map<String, String> tags) {

    /** The order runs are imported in, the same for every store: by start time (unknown first), then id. */
    static final Comparator<MlflowRun> ORDER = Comparator
            .comparing(MlflowRun::startTime, Comparator.nullsFirst(Comparator.<Long>naturalOrder()))
            .thenComparing(MlflowRun::id);

    /** An experiment: its id, name, whether it is deleted and how many experiment tags it has. */
    record Experiment(String id, String name, boolean deleted, int tags) {

        /** Numeric ids in numeric order (the file store's are long random numbers), others after. */
        static final Comparator<Experiment> ORDER = Comparator.comparing((Experiment e) -> e.id().length())
                .thenComparing(Experiment::id);
    }
}
