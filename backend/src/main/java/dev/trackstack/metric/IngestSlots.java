package dev.trackstack.metric;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.trackstack.system.Histograms;
import dev.trackstack.system.TrackstackProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The way in to {@link MetricIngest} for every API that logs points (logMetrics, TrainTrack's /loss/ and /metric/):
 * the transactions that may write at once; other calls wait their turn, in order. Inserts beyond one per core only
 * queue inside PostgreSQL, where they starve everything else of it: on two cores, 8 writers at full speed held
 * another instance's live subscribers seconds behind, and with two at a time 40 ms (p95). Calls that wait are
 * joined into one transaction ({@link GroupCommit}), so that small ones pay for a commit together.
 *
 * <p>Its meters (docs/operations.md, Monitoring) count every API's points in one place, after the commit. They are
 * server-wide: no tag names a run or a series, so their number stays fixed however many there are.
 */
@Component
public class IngestSlots {

    /** As long as a call would wait for a database connection. */
    private static final long INGEST_WAIT_SECONDS = 30;

    private final MetricIngest ingest;
    private final GroupCommit groups;
    private final Counter points;
    private final Counter duplicates;
    private final Counter calls;
    private final Counter failedCalls;
    private final DistributionSummary batchSize;
    private final Timer wait;

    @Autowired
    IngestSlots(MetricIngest ingest, JdbcTemplate jdbc, PlatformTransactionManager transactions,
            TrackstackProperties properties, MeterRegistry registry) {
        this(ingest, jdbc, transactions, properties.limits().ingestTransactions() > 0
                ? properties.limits().ingestTransactions() : Runtime.getRuntime().availableProcessors(), registry);
    }

    /** With this many ingest transactions at once. */
    IngestSlots(MetricIngest ingest, JdbcTemplate jdbc, PlatformTransactionManager transactions, int slots,
            MeterRegistry registry) {
        this.ingest = ingest;
        this.groups = new GroupCommit(ingest, jdbc, new TransactionTemplate(transactions), new Semaphore(slots, true),
                TimeUnit.SECONDS.toNanos(INGEST_WAIT_SECONDS), DistributionSummary.builder("trackstack.ingest.group.size")
                        .baseUnit("calls").description("Calls stored in one transaction (group commit)")
                        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, GroupCommit.MAX_CALLS).register(registry));
        this.points = Counter.builder("trackstack.ingest.points").baseUnit("points")
                .description("Points stored by logMetrics and TrainTrack's API").register(registry);
        this.duplicates = Counter.builder("trackstack.ingest.duplicate.points").baseUnit("points")
                .description("Points sent again and skipped: a step already stored, or a batchId already seen")
                .register(registry);
        this.calls = calls("success", registry);
        this.failedCalls = calls("error", registry);
        this.batchSize = DistributionSummary.builder("trackstack.ingest.batch.size").baseUnit("points")
                .description("Points sent in one call that was stored")
                .serviceLevelObjectives(1, 10, 50, 100, 500, 1000, 5000, 10000).register(registry);
        this.wait = Timer.builder("trackstack.ingest.wait")
                .description("Time a call waited for an ingest slot (trackstack.limits.ingest-transactions), until its group began")
                .serviceLevelObjectives(Histograms.millis(1, 5, 10, 50, 100, 500, 1000, 5000, 10000,
                        INGEST_WAIT_SECONDS * 1000)).register(registry);
    }

    private static Counter calls(String outcome, MeterRegistry registry) {
        return Counter.builder("trackstack.ingest.calls").baseUnit("calls").tag("outcome", outcome)
                .description("Calls that log points: stored, or failed (refused input, busy, database away)")
                .register(registry);
    }

    /** {@link MetricIngest#log} in a slot, in a group; UNAVAILABLE when none frees up in time. */
    public LogResult log(long runId, PointBatch points, String batchId) {
        LogResult result;
        try {
            ingest.checkBatchId(batchId);  // refused input stays out of the groups (PointBatch checked the points)
            GroupCommit.Call call = new GroupCommit.Call(runId, points, batchId);
            try {
                result = groups.log(call);
            } finally {
                wait.record(call.waited, TimeUnit.NANOSECONDS);
            }
        } catch (RuntimeException e) {
            failedCalls.increment();
            throw e;
        }
        calls.increment();
        batchSize.record(points.size());
        this.points.increment(result.accepted());
        duplicates.increment(result.duplicates());
        return result;
    }
}
