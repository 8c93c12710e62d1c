package dev.trackstack.metric;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import dev.trackstack.system.Histograms;
import dev.trackstack.system.TrackstackProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * The way in to {@link MetricIngest} for every API that logs points (logMetrics, TrainTrack's /loss/ and /metric/):
 * the calls that may write at once; others wait their turn, in order. Inserts beyond one per core only queue inside
 * PostgreSQL, where they starve everything else of it: on two cores, 8 writers at full speed held another
 * instance's live subscribers seconds behind, and with two at a time 40 ms (p95).
 *
 * <p>Its meters (docs/operations.md, Monitoring) count every API's points in one place, after the commit. They are
 * server-wide: no tag names a run or a series, so their number stays fixed however many there are.
 */
@Component
public class IngestSlots {

    /** As long as a call would wait for a database connection. */
    private static final long INGEST_WAIT_SECONDS = 30;

    private final MetricIngest ingest;
    private final Semaphore slots;
    private final Counter points;
    private final Counter duplicates;
    private final Counter calls;
    private final Counter failedCalls;
    private final DistributionSummary batchSize;
    private final Timer wait;

    IngestSlots(MetricIngest ingest, TrackstackProperties properties, MeterRegistry registry) {
        this.ingest = ingest;
        int configured = properties.limits().ingestTransactions();
        this.slots = new Semaphore(configured > 0 ? configured : Runtime.getRuntime().availableProcessors(), true);
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
                .description("Time a call waited for an ingest slot (trackstack.limits.ingest-transactions)")
                .serviceLevelObjectives(Histograms.millis(1, 5, 10, 50, 100, 500, 1000, 5000, 10000,
                        INGEST_WAIT_SECONDS * 1000)).register(registry);
    }

    private static Counter calls(String outcome, MeterRegistry registry) {
        return Counter.builder("trackstack.ingest.calls").baseUnit("calls").tag("outcome", outcome)
                .description("Calls that log points: stored, or failed (refused input, busy, database away)")
                .register(registry);
    }

    /** {@link MetricIngest#log} in a slot; UNAVAILABLE when none frees up in time. */
    public LogResult log(long runId, PointBatch points, String batchId) {
        LogResult result;
        try {
            result = logInSlot(runId, points, batchId);
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

    private LogResult logInSlot(long runId, PointBatch points, String batchId) {
        if (!acquire()) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "The server is busy storing other points. Retry later.");
        }
        try {
            return ingest.log(runId, points, batchId);
        } finally {
            slots.release();
        }
    }

    private boolean acquire() {
        long start = System.nanoTime();
        try {
            return slots.tryAcquire(INGEST_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            wait.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }
}
