package dev.trackstack.trace;

import java.util.List;

record TraceConnection(List<Edge> edges, PageInfo pageInfo, int totalCount) {

    record Edge(String cursor, Trace node) {
    }

    record PageInfo(boolean hasNextPage, String endCursor) {
    }
}
