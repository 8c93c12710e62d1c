package dev.trackstack.system;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Times read as microseconds since the epoch ({@code (extract(epoch from ts) * 1000000)::bigint}): pgjdbc's
 * {@code getObject(OffsetDateTime)} costs a time-zone lookup per row, which shows on reads of many rows.
 */
public final class EpochMicros {

    private EpochMicros() {
    }

    public static OffsetDateTime toTime(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1_000L)
                .atOffset(ZoneOffset.UTC);
    }
}
