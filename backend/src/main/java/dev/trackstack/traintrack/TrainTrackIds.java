package dev.trackstack.traintrack;

import java.util.UUID;
import java.util.regex.Pattern;

import dev.trackstack.system.ApiException;

/**
 * TrainTrack's ids are UUIDs; ours are database keys. A key is kept in a version-8 (custom) UUID that names what it
 * identifies, {@code 74726b73-000K-8000-8000-<key in hex>} (K: 1 a model, 2 a run), so that the same model or run
 * has the same id here as through GraphQL (the key is the GraphQL id) and a run's id is never taken for a model's.
 */
enum TrainTrackIds {
    MODEL("model", 1), RUN("run", 2);

    private static final Pattern CANONICAL =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** "trks", then the kind, then version 8. */
    private static final long HIGH = 0x74726b73_0000_8000L;
    /** The RFC 4122 variant bits, 10, above the key. */
    private static final long VARIANT = 0x8000_0000_0000_0000L;
    private static final long KEY = 0x3fff_ffff_ffff_ffffL;

    private final String what;
    private final long high;

    TrainTrackIds(String what, int kind) {
        this.what = what;
        this.high = HIGH | (long) kind << 16;
    }

    String of(long key) {
        return new UUID(high, VARIANT | key).toString();
    }

    /** A UUID that is none of ours of this kind names nothing: NOT_FOUND. */
    long parse(String id) {
        if (!isUuid(id)) {
            throw ApiException.notFound(what, id);
        }
        UUID uuid = UUID.fromString(id);
        if (uuid.getMostSignificantBits() != high || (uuid.getLeastSignificantBits() & ~KEY) != VARIANT) {
            throw ApiException.notFound(what, id);
        }
        return uuid.getLeastSignificantBits() & KEY;
    }

    /** TrainTrack types the ids in its bodies as UUIDs: anything else there is bad input, as FastAPI answers. */
    long parseField(String field, String id) {
        if (!isUuid(id)) {
            throw ApiException.badInput(field + " must be a UUID, got " + id);
        }
        return parse(id);
    }

    private static boolean isUuid(String id) {
        return CANONICAL.matcher(id).matches();
    }
}
