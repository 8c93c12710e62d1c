package dev.trackstack.run;

import java.util.List;

public record RunConnection(List<Edge> edges, PageInfo pageInfo, int totalCount) {

    public record Edge(String cursor, Run node) {
    }

    public record PageInfo(boolean hasNextPage, String endCursor) {
    }
}
