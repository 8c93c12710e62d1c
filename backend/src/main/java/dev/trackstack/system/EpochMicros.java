package dev.trackstack.system;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Times read as microseconds since the epoch ({@link #sql}): pgjdbc's {@code getObject(OffsetDateTime)} costs a
 * time-zone lookup per row, which shows on reads of many rows.
 */
public final class EpochMicros {

    private EpochMicros() {
    }

    /** SQL for a timestamptz {@code column} as the microseconds that {@link #toTime} turns back into a time. */
    public static String sql(String column) {
        return "(extract(epoch from " + column + ") * 1000000)::bigint";
    }

    /** Not ChronoUnit.MICROS.between: it counts in nanoseconds, which overflow past the year 2262. */
    public static long of(Instant instant) {
        return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
    }

    /** Through LocalDateTime: {@code Instant.atOffset} builds the offset's ZoneRules anew on every call. */
    public static OffsetDateTime toTime(long micros) {
        return OffsetDateTime.of(LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000),
                (int) Math.floorMod(micros, 1_000_000) * 1_000, ZoneOffset.UTC), ZoneOffset.UTC);
    }
}
