package dev.trackstack.export;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Times in exports: UTC with all six digits of their microseconds, e.g. 2026-12-04T10:15:30.123456Z. */
final class Times {

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    private Times() {
    }

    static String format(long micros) {
        return FORMAT.format(LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000),
                (int) Math.floorMod(micros, 1_000_000) * 1_000, ZoneOffset.UTC));
    }
}
