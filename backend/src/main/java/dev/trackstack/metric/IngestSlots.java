package dev.trackstack.metric;

import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.stereotype.Component;

/**
 * The way in to {@link MetricIngest} for every API that logs points (logMetrics, TrainTrack's /loss/ and /metric/):
 * the calls that may write at once; others wait their turn, in order. Inserts beyond one per core only queue inside
 * PostgreSQL, where they starve everything else of it: on two cores, 8 writers at full speed held another
 * instance's live subscribers seconds behind, and with two at a time 40 ms (p95).
 */
@Component
public class IngestSlots {

    /** As long as a call would wait for a database connection. */
    private static final long INGEST_WAIT_SECONDS = 30;

    private final MetricIngest ingest;
    private final Semaphore slots;

    IngestSlots(MetricIngest ingest, TrackstackProperties properties) {
        this.ingest = ingest;
        int configured = properties.limits().ingestTransactions();
        this.slots = new Semaphore(configured > 0 ? configured : Runtime.getRuntime().availableProcessors(), true);
    }

    /** {@link MetricIngest#log} in a slot; UNAVAILABLE when none frees up in time. */
    public LogResult log(long runId, List<MetricPointInput> points, String batchId) {
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
        try {
            return slots.tryAcquire(INGEST_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
