package dev.trackstack.live;

import java.util.List;
import java.util.Map;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes live events from inside the transaction that causes them: to this instance's hub after the
 * commit, and to other instances with pg_notify, which PostgreSQL delivers only if the transaction commits.
 * A NOTIFY payload is limited to 8000 bytes, so points travel as a reference (series and step range) that
 * the receivers read back, with the time they were sent, so that a receiver that fell behind can skip them.
 */
@Component
public class LiveEvents {

    static final String CHANNEL = "trackstack_live";
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
        notifyOthers(Map.of("origin", origin, "run", event.runId(), "project", event.project(),
                "ranges", ranges));
    }

    /** For a run that still exists: its project is looked up here. */
    public void runChanged(RunEvent.Type type, long runId) {
        String project = jdbc.queryForObject("select p.name from run r join model m on m.id = r.model_id "
                + "join project p on p.id = m.project_id where r.id = ?", String.class, runId);
        runChanged(new RunEvent(type, runId, project));
    }

    public void runChanged(RunEvent event) {
        publisher.publishEvent(event);
        notifyOthers(Map.of("origin", origin, "run", event.runId(), "project", event.project(),
                "type", event.type().name()));
    }

    /** Stamped with the database's clock, which the receivers compare with, so that no two clocks are compared. */
    private void notifyOthers(Map<String, Object> payload) {
        jdbc.queryForObject("select pg_notify(?, (?::jsonb || jsonb_build_object('sentAt', " + DATABASE_MILLIS
                + "))::text)::text", String.class, CHANNEL, json.writeValueAsString(payload));
    }
}
