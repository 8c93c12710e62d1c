package dev.trackstack.trace;

import java.util.List;
import java.util.function.IntSupplier;

/**
 * A page of a connection (TraceConnection, SessionConnection, the eval connections): its edges with their cursors, and the count of all,
 * which is counted only when asked for (it reads every matching row; the page may need a few).
 */
public record Page<T>(List<Edge<T>> edges, PageInfo pageInfo, IntSupplier count) {

    public int totalCount() {
        return count.getAsInt();
    }

    public record Edge<T>(String cursor, T node) {
    }

    public record PageInfo(boolean hasNextPage, String endCursor) {
    }
}
