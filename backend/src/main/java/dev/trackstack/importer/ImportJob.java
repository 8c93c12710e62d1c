package dev.trackstack.importer;

import java.time.OffsetDateTime;
import java.util.List;

/** An import as graphql/import.graphqls shows it. */
public record ImportJob(String id, ImportFormat format, String source, State state, int runsRead, int runsCreated,
        long pointsStored, long pointsDuplicate, List<String> unmapped, String error, OffsetDateTime startedAt,
        OffsetDateTime finishedAt) {

    public enum State {
        RUNNING, SUCCEEDED, FAILED
    }
}
