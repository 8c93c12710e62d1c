package dev.trackstack.live;

import java.util.Map;
import java.util.Set;

/**
 * Spans of these traces of a project were stored.
 *
 * @param traces the ids of the traces (32 hex digits), each with the runs that its stored spans name
 */
public record TracesStored(String project, Map<String, Set<Long>> traces) {
}
