package dev.trackstack.live;

import java.sql.Connection;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    /** The points of several events at once: r.event tells whose they are. */
    private static final String POINTS = """
            select r.event, s.name, s.split, p.step, p.value, p.ts
            from unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[]) as r(event, series_id, lo, hi)
            cross join lateral (select * from metric_point p where p.series_id = r.series_id
                                and p.step between r.lo and r.hi offset 0) p
            join metric_series s on s.id = p.series_id
            order by r.event, s.name, s.split nulls first, p.step
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
                    if (notifications != null) {
                        receive(notifications);
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

    /**
     * Dispatches the events in the order they came. Everything that arrived meanwhile comes at once, and the points
     * of all those events are read back with one query, so that the listener keeps up with many writers.
     */
    private void receive(PGNotification[] notifications) {
        List<JsonNode> events = Arrays.stream(notifications).map(n -> json.readTree(n.getParameter()))
                .filter(event -> !origin.equals(event.get("origin").asString())).toList();
        Map<Integer, List<LivePoint>> points = readBack(events);
        for (int i = 0; i < events.size(); i++) {
            JsonNode event = events.get(i);
            long runId = event.get("run").asLong();
            String project = event.get("project").asString();
            if (event.has("type")) {
                hub.dispatch(new RunEvent(RunEvent.Type.valueOf(event.get("type").asString()), runId, project));
            } else {
                hub.dispatch(new PointsLogged(runId, project, points.getOrDefault(i, List.of())));
            }
        }
    }

    /** The points of the events that carry ranges, by the event's index. */
    private Map<Integer, List<LivePoint>> readBack(List<JsonNode> events) {
        List<long[]> ranges = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).has("ranges")) {
                for (JsonNode range : events.get(i).get("ranges")) {
                    ranges.add(new long[] {i, range.get(0).asLong(), range.get(1).asLong(), range.get(2).asLong()});
                }
            }
        }
        Map<Integer, List<LivePoint>> points = new HashMap<>();
        if (!ranges.isEmpty()) {
            jdbc.query(POINTS, rs -> {
                points.computeIfAbsent(rs.getInt(1), k -> new ArrayList<>()).add(new LivePoint(rs.getString(2),
                        rs.getString(3), rs.getLong(4), rs.getDouble(5), rs.getObject(6, OffsetDateTime.class)));
            }, column(ranges, 0), column(ranges, 1), column(ranges, 2), column(ranges, 3));
        }
        return points;
    }

    private static long[] column(List<long[]> rows, int index) {
        return rows.stream().mapToLong(row -> row[index]).toArray();
    }

    private void sleepASecond() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
