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

    /** A call's stored points for its subscribers, and per series it wrote to its {seriesId, firstStep, lastStep}. */
    public record Logged(PointsLogged event, List<long[]> ranges) {
    }

    /**
     * Several calls' points (a group's, see GroupCommit) in one statement: a row of {@code live_batch} and a NOTIFY
     * each.
     */
    public void pointsLogged(List<Logged> calls) {
        calls.forEach(call -> publisher.publishEvent(call.event()));
        int rows = calls.stream().mapToInt(call -> call.ranges().size()).sum();
        int[] batch = new int[rows];
        long[][] columns = new long[3][rows];
        int row = 0;
        for (int i = 0; i < calls.size(); i++) {
            for (long[] range : calls.get(i).ranges()) {
                batch[row] = i + 1;
                for (int c = 0; c < 3; c++) {
                    columns[c][row] = range[c];
                }
                row++;
            }
        }
        String[] messages = calls.stream().map(c -> json.writeValueAsString(ClusterMessage.of(origin, c.event())))
                .toArray(String[]::new);
        // Each call's row id is drawn first, for its NOTIFY to name; the NOTIFYs go in the calls' order.
        jdbc.queryForList("""
                with given as (
                    select m.batch, m.message, nextval(pg_get_serial_sequence('live_batch', 'id')) as id
                    from unnest(?::text[]) with ordinality as m(message, batch)
                ), stored as (
                    insert into live_batch (id, series_ids, first_steps, last_steps) overriding system value
                    select g.id, array_agg(r.series_id order by r.i), array_agg(r.first_step order by r.i),
                           array_agg(r.last_step order by r.i)
                    from unnest(?::int[], ?::bigint[], ?::bigint[], ?::bigint[])
                         with ordinality as r(batch, series_id, first_step, last_step, i)
                    join given g on g.batch = r.batch
                    group by g.id
                )
                select pg_notify(?, (g.message::jsonb || jsonb_build_object('batch', g.id, 'sentAt', %s))::text)::text
                from (select * from given order by batch offset 0) g
                """.formatted(DATABASE_MILLIS), String.class, messages, batch, columns[0], columns[1], columns[2],
                CHANNEL);
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

    /** Stamped with the database's clock, which the receivers compare with, so that no two clocks are compared. */
    private void notifyOthers(ClusterMessage message) {
        jdbc.queryForObject("select pg_notify(?, (?::jsonb || jsonb_build_object('sentAt', " + DATABASE_MILLIS
                + "))::text)::text", String.class, CHANNEL, json.writeValueAsString(message));
    }
}
