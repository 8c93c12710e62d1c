package dev.trackstack.storage;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.trackstack.system.TrackstackProperties;

/**
 * How points are kept and downsampled: step rollups kept by ingest ({@link RollupPointStore}) or TimescaleDB's
 * continuous aggregates ({@link AggregatePointStore}), chosen once at start-up from the mode the schema was created
 * in ({@link PointStores}).
 */
public interface PointStore {

    StorageMode mode();

    /** The downsampled levels, finest first, as serverInfo names them. */
    List<String> levels();

    /**
     * Stores the points (series ids, steps, epoch microseconds and values, column by column) whose (series, step)
     * is new, first occurrence first, folding them into their series' summaries (and the rollups, where ingest
     * keeps them) in the same statement. The series must be locked by the caller. Answers the points stored.
     */
    Set<PointKey> insert(long[] series, long[] steps, long[] micros, double[] values);

    /** Removes the points of these runs (and what is kept of them downsampled); the runs must be locked. */
    void deletePoints(Long[] runIds);

    /**
     * Removes the run's points after {@code toStep}, and computes its series' summaries (and downsampled levels)
     * afresh; the run must be locked. Answers how many points were removed.
     */
    long rewind(long runId, long toStep);

    /** How a series' steps in a read are cut into at most maxPoints buckets, and from which level. */
    BucketPlan plan(Extent extent, int maxPoints);

    /**
     * The stored buckets, and raw points where none fits, that make up the planned buckets of each series, by series
     * id, unordered.
     */
    Map<Long, List<BucketRow>> readParts(Map<Long, BucketPlan> plans);

    /** Sets the configured compression and retention, where the store supports them. */
    void applyPolicies(TrackstackProperties.StoragePolicies policies);

    /** A point by its series and step. */
    record PointKey(long seriesId, long step) {
    }

    /** The first and last point of a series in the asked range. */
    record Extent(long first, OffsetDateTime firstTime, long last, OffsetDateTime lastTime) {
    }
}
