package dev.trackstack.live;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes live events from inside the transaction that causes them: to this instance's hub after the
 * commit, and to other instances with pg_notify, which PostgreSQL delivers only if the transaction commits.
 * A NOTIFY payload is limited to 8000 bytes, and a batch may write to thousands of series, so points travel as a
 * reference: a row of {@code live_batch} holding the batch's series and step ranges, which the receivers read back,
 * and the time they were sent, so that a receiver that fell behind can skip them. Every payload so stays a few
 * hundred bytes, whatever the batch.
 */
@Component
public class LiveEvents implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(LiveEvents.class);

    static final String CHANNEL = "trackstack_live";
    /** A trace id and a run take about 60 bytes of JSON, a project name at most 1 KB: well under 8000 bytes. */
    private static final int TRACES_PER_MESSAGE = 100;
    /** A media item's name takes at most 1 KB of JSON (256 characters of UTF-8), as does the project's: 5 fit. */
    private static final int MEDIA_PER_MESSAGE = 5;
    /** The database's clock, in milliseconds since the epoch. */
    static final String DATABASE_MILLIS = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

    private final ApplicationEventPublisher publisher;
    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    private final String origin;

    LiveEvents(ApplicationEventPublisher publisher, JdbcTemplate jdbc, JsonMapper json, InstanceId instance) {
        this.publisher = publisher;
        this.jdbc = jdbc;
        this.json = json;
        this.origin = instance.value();
    }

    /**
     * @param ranges one {seriesId, firstStep, lastStep} per series the batch wrote to
     */
    public void pointsLogged(PointsLogged event, List<long[]> ranges) {
        publisher.publishEvent(event);
        jdbc.queryForObject("""
                with batch as (insert into live_batch (series_ids, first_steps, last_steps) values (?, ?, ?)
                               returning id)
                select pg_notify(?, (?::jsonb || jsonb_build_object('batch', batch.id, 'sentAt', %s))::text)::text
                from batch
                """.formatted(DATABASE_MILLIS), String.class, column(ranges, 0), column(ranges, 1),
                column(ranges, 2), CHANNEL, json.writeValueAsString(ClusterMessage.of(origin, event)));
    }

    public void runChanged(RunEvent event) {
        publisher.publishEvent(event);
        notifyOthers(ClusterMessage.of(origin, event));
    }

    /** Other instances hear of the traces in messages of TRACES_PER_MESSAGE, which keeps each under NOTIFY's limit. */
    public void tracesStored(TracesStored event) {
        publisher.publishEvent(event);
        List<String> ids = List.copyOf(event.traces().keySet());
        for (int from = 0; from < ids.size(); from += TRACES_PER_MESSAGE) {
            Map<String, Set<Long>> part = new LinkedHashMap<>();
            ids.subList(from, Math.min(ids.size(), from + TRACES_PER_MESSAGE))
                    .forEach(id -> part.put(id, event.traces().get(id)));
            notifyOthers(ClusterMessage.of(origin, new TracesStored(event.project(), part)));
        }
    }

    public void mediaStored(MediaStored event) {
        publisher.publishEvent(event);
        List<MediaStored.Item> items = event.items();
        for (int from = 0; from < items.size(); from += MEDIA_PER_MESSAGE) {
            notifyOthers(ClusterMessage.of(origin, new MediaStored(event.runId(), event.project(),
                    items.subList(from, Math.min(items.size(), from + MEDIA_PER_MESSAGE)))));
        }
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(this::deleteOldBatches, Duration.ofSeconds(10));
    }

    private void deleteOldBatches() {
        try {
            // Receivers skip batches sent longer ago than ClusterListener.MAX_LAG_MILLIS: a minute is plenty.
            jdbc.update("delete from live_batch where created_at < now() - interval '1 minute'");
        } catch (DataAccessException e) {
            log.debug("Old live batches not deleted this time: {}", e.toString());  // the database is away; next time
        }
    }

    private static long[] column(List<long[]> rows, int index) {
        return rows.stream().mapToLong(row -> row[index]).toArray();
    }

    /** Stamped with the database's clock, which the receivers compare with, so that no two clocks are compared. */
    private void notifyOthers(ClusterMessage message) {
        jdbc.queryForObject("select pg_notify(?, (?::jsonb || jsonb_build_object('sentAt', " + DATABASE_MILLIS
                + "))::text)::text", String.class, CHANNEL, json.writeValueAsString(message));
    }
}
