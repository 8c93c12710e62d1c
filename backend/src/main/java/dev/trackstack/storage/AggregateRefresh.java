package dev.trackstack.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.trackstack.system.AfterCommit;
import dev.trackstack.system.DatabaseTime;
import dev.trackstack.system.EpochMicros;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * Brings the continuous aggregates up to date over the time ranges that ingest touched or a rewind removed points
 * from. Their policies would too, but within a minute (the 1 h and 1 d levels within an hour and a day); until then a
 * read takes what is not materialized from the points, which for a long series just logged or imported means reading
 * it whole.
 */
@Component
public class AggregateRefresh {

    private static final Logger log = LoggerFactory.getLogger(AggregateRefresh.class);

    /** How long ingest's ranges gather before they are refreshed together: about one refresh a second at most. */
    private static final Duration GATHER = Duration.ofMillis(500);

    /** How long after a failed refresh (the database away, say) its ranges are tried again. */
    private static final Duration RETRY = Duration.ofSeconds(10);

    /**
     * Ranges closer than this are refreshed as one: a training run's batches follow each other, and a refresh reads
     * only what was invalidated in its window. A year-old import and today's logging stay apart.
     */
    private static final long MERGE_GAP_MICROS = Duration.ofHours(1).toNanos() / 1000;

    /** More ranges than this pending (times all over the place) are refreshed as one. */
    private static final int MAX_RANGES = 64;

    private final DataSource dataSource;
    /** One refresh at a time; its thread starts with the first range (never, where ingest keeps step rollups). */
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(threads());
    /** Disjoint ranges to refresh, from → to in epoch microseconds; guarded by this. */
    private final TreeMap<Long, Long> pending = new TreeMap<>();
    private boolean scheduled;
    private volatile String options;

    AggregateRefresh(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    private static ThreadFactory threads() {
        CustomizableThreadFactory threads = new CustomizableThreadFactory("aggregate-refresh-");
        threads.setDaemon(true);
        return threads;
    }

    /** Refreshes every level over [from, to] after the current transaction commits, on the caller's thread. */
    public void afterCommit(OffsetDateTime from, OffsetDateTime to) {
        AfterCommit.run(() -> refresh(from, to));
    }

    /**
     * Refreshes every level over [from, to] (epoch microseconds) soon after the current transaction commits, off
     * the caller's thread, together with the other ranges touched meanwhile.
     */
    void soonAfterCommit(long from, long to) {
        AfterCommit.run(() -> touched(from, to));
    }

    synchronized void touched(long from, long to) {
        add(from, to);
        schedule(GATHER);
    }

    private void add(long from, long to) {
        Map.Entry<Long, Long> near = pending.floorEntry(to + MERGE_GAP_MICROS);
        while (near != null && near.getValue() >= from - MERGE_GAP_MICROS) {
            from = Math.min(from, near.getKey());
            to = Math.max(to, near.getValue());
            pending.remove(near.getKey());
            near = pending.floorEntry(to + MERGE_GAP_MICROS);
        }
        pending.put(from, to);
        if (pending.size() > MAX_RANGES) {
            long first = pending.firstKey();
            long last = pending.values().stream().mapToLong(Long::longValue).max().orElseThrow();
            pending.clear();
            pending.put(first, last);
        }
    }

    private void schedule(Duration delay) {
        if (!scheduled && !refresher.isShutdown()) {
            scheduled = true;
            refresher.schedule(this::refreshPending, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Refreshes the ranges pending, oldest first; ranges touched meanwhile wait for the next turn. After a failure
     * the later ranges wait too: a read takes the materialized buckets of a series for one run of its steps, so a
     * later range must not be materialized while an earlier one is not.
     */
    private void refreshPending() {
        TreeMap<Long, Long> ranges;
        synchronized (this) {
            ranges = new TreeMap<>(pending);
            pending.clear();
            scheduled = false;
        }
        while (!ranges.isEmpty()) {
            Map.Entry<Long, Long> range = ranges.firstEntry();
            try {
                refresh(EpochMicros.toTime(range.getKey()), EpochMicros.toTime(range.getValue()));
                ranges.remove(range.getKey());
            } catch (RuntimeException e) {
                log.warn("Refreshing the continuous aggregates from {} to {} failed; trying again in {} s",
                        EpochMicros.toTime(range.getKey()), EpochMicros.toTime(range.getValue()), RETRY.toSeconds(),
                        e);
                synchronized (this) {
                    ranges.forEach(this::add);
                    schedule(RETRY);
                }
                return;
            }
        }
    }

    @PreDestroy
    void stop() {
        refresher.shutdownNow();
    }

    void refresh(OffsetDateTime from, OffsetDateTime to) {
        // A connection of its own, in auto-commit: refresh_continuous_aggregate cannot run in a transaction.
        try (Connection connection = dataSource.getConnection(); Statement session = connection.createStatement()) {
            connection.setAutoCommit(true);
            DatabaseTime.allowLongStatements(connection);
            // Each level's refresh commits several times: without waiting for the disk, it took half as long on a
            // busy machine. What a crash could lose is derived data, still marked for a refresh, consistently.
            session.execute("set synchronous_commit = off");
            try {
                for (AggregateLevel level : AggregateLevel.values()) {
                    refresh(connection, level, from, to, options(session));
                }
            } finally {
                session.execute("reset synchronous_commit");
            }
        } catch (SQLException | InterruptedException e) {
            throw new DataAccessResourceFailureException("Refreshing the continuous aggregates failed", e);
        }
    }

    /**
     * The options of refresh_continuous_aggregate, where it has them (TimescaleDB 2.21 and later): there it refreshes
     * a window in batches of 10 buckets, newest first, each committed, so that a read in between would find buckets
     * on both sides of a part not materialized yet. One batch refreshes the window at once, and faster.
     */
    private String options(Statement session) throws SQLException {
        if (options == null) {
            try (ResultSet has = session.executeQuery("select exists (select from pg_proc where proname = "
                    + "'refresh_continuous_aggregate' and 'options' = any(proargnames))")) {
                has.next();
                options = has.getBoolean(1) ? ", options => '{\"buckets_per_batch\": 0}'" : "";
            }
        }
        return options;
    }

    /** Waits out a policy refreshing the same buckets (it answers lock_not_available meanwhile). */
    private static void refresh(Connection connection, AggregateLevel level, OffsetDateTime from, OffsetDateTime to,
            String options) throws SQLException, InterruptedException {
        String width = "interval '" + level.seconds() + " seconds'";
        String sql = "call refresh_continuous_aggregate('" + level.view() + "', time_bucket(" + width
                + ", ?::timestamptz), time_bucket(" + width + ", ?::timestamptz) + " + width + options + ")";
        for (int attempt = 1; ; attempt++) {
            try (PreparedStatement call = connection.prepareStatement(sql)) {
                call.setObject(1, from);
                call.setObject(2, to);
                call.execute();
                return;
            } catch (SQLException e) {
                if (!"55P03".equals(e.getSQLState()) || attempt == 300) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
