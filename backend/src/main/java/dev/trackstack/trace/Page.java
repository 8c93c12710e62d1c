package dev.trackstack.trace;

import java.util.List;

/** A page of a connection (TraceConnection, SessionConnection): its edges with their cursors, and the count of all. */
record Page<T>(List<Edge<T>> edges, PageInfo pageInfo, int totalCount) {

    record Edge<T>(String cursor, T node) {
    }

    record PageInfo(boolean hasNextPage, String endCursor) {
    }
}
