package dev.trackstack.live;

import java.sql.Connection;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Receives other instances' events through PostgreSQL LISTEN, so that several instances behind a load
 * balancer share one stream without another broker. Reconnects by itself when the database goes away.
 */
@Component
class ClusterListener implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ClusterListener.class);

    private static final String POINTS = """
            select s.name, s.split, p.step, p.value, p.ts
            from unnest(?::bigint[], ?::bigint[], ?::bigint[]) as r(series_id, lo, hi)
            join metric_point p on p.series_id = r.series_id and p.step between r.lo and r.hi
            join metric_series s on s.id = p.series_id
            order by s.name, s.split nulls first, p.step
            """;

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    private final LiveHub hub;
    private final String origin;
    private volatile boolean running;
    private Thread thread;

    ClusterListener(DataSource dataSource, JdbcTemplate jdbc, JsonMapper json, LiveHub hub, InstanceId instance) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.json = json;
        this.hub = hub;
        this.origin = instance.value();
    }

    @Override
    public void start() {
        running = true;
        thread = new Thread(this::listen, "live-cluster-listener");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() {
        running = false;
        thread.interrupt();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void listen() {
        while (running) {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("listen " + LiveEvents.CHANNEL);
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1000);
                    for (PGNotification notification : notifications == null ? new PGNotification[0] : notifications) {
                        receive(notification.getParameter());
                    }
                }
            } catch (Exception e) {
                if (running) {
                    log.warn("Lost the live-event connection to the database ({}); reconnecting", e.toString());
                    sleepASecond();
                }
            }
        }
    }

    private void receive(String payload) {
        JsonNode event = json.readTree(payload);
        if (origin.equals(event.get("origin").asString())) {
            return;
        }
        long runId = event.get("run").asLong();
        String project = event.get("project").asString();
        if (event.has("type")) {
            hub.dispatch(new RunEvent(RunEvent.Type.valueOf(event.get("type").asString()), runId, project));
            return;
        }
        JsonNode ranges = event.get("ranges");
        long[] series = new long[ranges.size()];
        long[] lo = new long[ranges.size()];
        long[] hi = new long[ranges.size()];
        for (int i = 0; i < ranges.size(); i++) {
            series[i] = ranges.get(i).get(0).asLong();
            lo[i] = ranges.get(i).get(1).asLong();
            hi[i] = ranges.get(i).get(2).asLong();
        }
        List<LivePoint> points = new ArrayList<>(jdbc.query(POINTS, (rs, n) -> new LivePoint(rs.getString(1),
                rs.getString(2), rs.getLong(3), rs.getDouble(4), rs.getObject(5, OffsetDateTime.class)),
                series, lo, hi));
        hub.dispatch(new PointsLogged(runId, project, points));
    }

    private void sleepASecond() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
