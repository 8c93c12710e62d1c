package dev.trackstack.live;

import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What an instance tells the others through NOTIFY, as JSON: a run event ({@code type}), traces stored
 * ({@code traces}), media items stored ({@code media}), or points logged ({@code batch}: a row of live_batch to read them back from). The database adds {@code batch} and {@code sentAt}
 * (its clock, in milliseconds) as it sends. Absent fields are left out, and unknown ones ignored, so that instances
 * of neighbouring versions understand each other.
 *
 * @param origin the sending instance (see InstanceId)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
record ClusterMessage(String origin, long run, String project, RunEvent.Type type, Map<String, Set<Long>> traces,
        Long batch, Long sentAt, List<MediaStored.Item> media) {

    static ClusterMessage of(String origin, RunEvent event) {
        return new ClusterMessage(origin, event.runId(), event.project(), event.type(), null, null, null, null);
    }

    static ClusterMessage of(String origin, PointsLogged event) {
        return new ClusterMessage(origin, event.runId(), event.project(), null, null, null, null, null);
    }

    static ClusterMessage of(String origin, TracesStored event) {
        return new ClusterMessage(origin, 0, event.project(), null, event.traces(), null, null, null);
    }

    static ClusterMessage of(String origin, MediaStored event) {
        return new ClusterMessage(origin, event.runId(), event.project(), null, null, null, null, event.items());
    }
}
