package dev.trackstack.system;

import java.util.List;

/** GraphQL IDs are strings; ours hold database keys. An id that cannot be ours is simply not found. */
public final class Ids {

    private Ids() {
    }

    public static long parse(String id, String what) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw ApiException.notFound(what, id);
        }
    }

    /** Ids that cannot be ours are dropped: they match nothing. */
    public static long[] parseAll(List<String> ids) {
        return ids.stream().filter(id -> id.matches("\\d{1,18}")).mapToLong(Long::parseLong).toArray();
    }
}
