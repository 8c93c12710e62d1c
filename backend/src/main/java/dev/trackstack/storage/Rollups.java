package dev.trackstack.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The step-bucketed levels that ingest keeps current where continuous aggregates are not available. Each
 * level's buckets are 8 times wider than the one below, so a chart reads between 1 and 8 rows per bucket
 * it shows, and a batch of 1,000 consecutive points touches about 150 rollup rows.
 */
public final class Rollups {

    public static final int[] LEVELS = {8, 64, 512, 4096, 32768, 262144};

    /** Folds rows into the rollups: see the SQL's own comment. */
    public static final String UPSERT = resource("/db/storage/rollup-upsert.sql");

    private static String resource(String name) {
        try (InputStream in = Rollups.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Rollups() {
    }
}
