package dev.trackstack.trace;

import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedRateTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Deletes the spans that started longer than {@code trackstack.tracing.retention} ago, a minute after start and
 * hourly from then on. Without the setting nothing is scheduled and spans are kept.
 */
@Component
@EnableScheduling
class TraceRetention implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(TraceRetention.class);

    private final TraceSummaries summaries;
    private final Duration retention;

    TraceRetention(TraceSummaries summaries, TracingProperties properties) {
        this.summaries = summaries;
        this.retention = properties.retention();
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        if (retention != null) {
            registrar.addFixedRateTask(new FixedRateTask(this::check, Duration.ofHours(1), Duration.ofMinutes(1)));
        }
    }

    /** A database outage is reported by the requests that fail; here one line per check, not a stack trace. */
    private void check() {
        try {
            expire(Instant.now());
        } catch (DataAccessException e) {
            log.warn("Span retention skipped, the database is unavailable: {}", e.getMostSpecificCause().getMessage());
        }
    }

    /** Deletes what is past the retention at {@code now}; answers the number of spans deleted. */
    int expire(Instant now) {
        Instant cutoff = now.minus(retention);
        int deleted = summaries.deleteSpansStartedBefore(cutoff);
        if (deleted > 0) {
            log.info("Deleted {} spans that started before {} (trackstack.tracing.retention = {})", deleted, cutoff,
                    retention);
        }
        return deleted;
    }
}
