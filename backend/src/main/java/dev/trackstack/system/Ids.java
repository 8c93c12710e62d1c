package dev.trackstack.system;

import java.util.List;
import java.util.OptionalLong;

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

    /** The key an id holds; empty when it cannot be ours (a lookup by it finds nothing). */
    public static OptionalLong find(String id) {
        return id.matches("\\d{1,18}") ? OptionalLong.of(Long.parseLong(id)) : OptionalLong.empty();
    }

    /** Ids that cannot be ours are dropped: they match nothing. */
    public static long[] parseAll(List<String> ids) {
        return ids.stream().map(Ids::find).filter(OptionalLong::isPresent).mapToLong(OptionalLong::getAsLong).toArray();
    }
}
