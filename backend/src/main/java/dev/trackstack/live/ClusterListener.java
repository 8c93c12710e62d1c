package dev.trackstack.live;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import dev.trackstack.system.EpochMicros;
import dev.trackstack.system.Histograms;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Receives other instances' events through PostgreSQL LISTEN, so that several instances behind a load
 * balancer share one stream without another broker. Reconnects by itself when the database goes away.
 */
@Component
class ClusterListener implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ClusterListener.class);

    /**
     * The points of several events at once, from the series and step ranges of their batches (see LiveEvents): e.event
     * tells whose they are. Series ids and epoch microseconds rather than names and timestamps per row, which cost the
     * reader many times more to decode. Unordered: sorting (by name, in the database's collation) spilled to disk for
     * 100 batches at once, and Java sorts each batch's few series instead.
     */
    private static final String POINTS = """
            select e.event, p.series_id, p.step, p.value, %s
            from unnest(?::int[], ?::bigint[]) as e(event, batch)
            join live_batch b on b.id = e.batch
            cross join lateral unnest(b.series_ids, b.first_steps, b.last_steps) as r(series_id, lo, hi)
            cross join lateral (select * from metric_point p where p.series_id = r.series_id
                                and p.step between r.lo and r.hi offset 0) p
            """.formatted(EpochMicros.sql("p.ts"));

    /**
     * Points sent longer ago than this are not read back: this instance fell behind (other instances ingest faster
     * than it can deliver), and catching up on old batches would only keep every later one late. Subscribers of the
     * skipped runs get {@code gap} on the run's next batch and refetch instead.
     */
    static final long MAX_LAG_MILLIS = 2000;

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    private final LiveHub hub;
    private final String origin;
    private final Timer lag;
    private final Counter late;
    /** Runs whose points were skipped since their last dispatched batch; only the listener thread uses it. */
    private final Set<Long> skipped = new HashSet<>();
    private volatile boolean running;
    private Thread thread;

    ClusterListener(DataSource dataSource, JdbcTemplate jdbc, JsonMapper json, LiveHub hub, InstanceId instance,
            MeterRegistry registry) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.json = json;
        this.hub = hub;
        this.origin = instance.value();
        this.lag = Timer.builder("trackstack.live.cluster.lag")
                .description("From another instance's NOTIFY of points (in the transaction that stores them, just "
                        + "before its commit) to their dispatch to this instance's subscribers")
                .serviceLevelObjectives(Histograms.millis(5, 10, 25, 50, 100, 250, 500, 1000, MAX_LAG_MILLIS,
                        2 * MAX_LAG_MILLIS)).register(registry);
        this.late = LiveHub.dropped("late", registry);
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
        List<ClusterMessage> events = Arrays.stream(notifications)
                .map(n -> json.readValue(n.getParameter(), ClusterMessage.class))
                .filter(event -> !origin.equals(event.origin())).toList();
        if (!events.isEmpty()) {
            receive(events, jdbc.queryForObject("select " + LiveEvents.DATABASE_MILLIS, Long.class));
        }
    }

    /** @param now the database's clock, which stamped the events */
    void receive(List<ClusterMessage> events, long now) {
        long received = System.nanoTime();
        List<ClusterMessage> fresh = events.stream().filter(event -> event.batch() == null
                || now - (event.sentAt() == null ? now : event.sentAt()) <= MAX_LAG_MILLIS).toList();
        Map<ClusterMessage, List<LivePoint>> points = readBack(fresh);
        for (ClusterMessage event : events) {
            if (event.type() != null) {
                hub.dispatch(new RunEvent(event.type(), event.run(), event.project()));
            } else if (event.traces() != null) {
                hub.dispatch(new TracesStored(event.project(), event.traces()));
            } else if (event.media() != null) {
                hub.dispatch(new MediaStored(event.run(), event.project(), event.media()));
            } else if (!points.containsKey(event)) {
                late.increment();
                skipped.add(event.run());
            } else {
                hub.dispatch(new PointsLogged(event.run(), event.project(), points.get(event),
                        skipped.remove(event.run())));
                // The database's clock at the NOTIFY and at receive(), plus this instance's time since then.
                lag.record(Duration.ofMillis(now - (event.sentAt() == null ? now : event.sentAt()))
                        .plusNanos(System.nanoTime() - received));
            }
        }
    }

    /** The points of the events that name a batch, by event (an empty list for one whose points are gone). */
    private Map<ClusterMessage, List<LivePoint>> readBack(List<ClusterMessage> events) {
        List<Integer> indexes = new ArrayList<>();
        List<Long> batches = new ArrayList<>();
        Map<ClusterMessage, List<LivePoint>> points = new IdentityHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).batch() != null) {
                points.put(events.get(i), new ArrayList<>());
                indexes.add(i);
                batches.add(events.get(i).batch());
            }
        }
        if (batches.isEmpty()) {
            return points;
        }
        long[] batchIds = batches.stream().mapToLong(Long::longValue).toArray();
        Map<Long, String[]> series = new HashMap<>();
        jdbc.query("select id, name, split from metric_series "
                + "where id in (select unnest(series_ids) from live_batch where id = any(?))", rs -> {
                    series.put(rs.getLong(1), new String[] {rs.getString(2), rs.getString(3)});
                }, batchIds);
        jdbc.query(POINTS, rs -> {
            String[] names = series.get(rs.getLong(2));
            points.get(events.get(rs.getInt(1))).add(new LivePoint(names[0], names[1], rs.getLong(3), rs.getDouble(4),
                    EpochMicros.toTime(rs.getLong(5))));
        }, indexes.stream().mapToInt(Integer::intValue).toArray(), batchIds);
        points.values().forEach(batch -> batch.sort(LivePoint.ORDER));
        return points;
    }

    private void sleepASecond() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
