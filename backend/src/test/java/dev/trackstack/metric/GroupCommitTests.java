package dev.trackstack.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.trackstack.ApiTest;
import dev.trackstack.DatabaseStatistics;
import dev.trackstack.system.TrackstackProperties;
import dev.trackstack.live.PointsLogged;
import dev.trackstack.live.RunEvent;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.context.event.ApplicationEventMulticaster;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalApplicationListener;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Group commit: calls queued while a group commits are joined into the next one, each all-or-nothing towards its
 * caller and idempotent by its batchId. A group is formed on purpose here: an ingest slot of its own, held by a call
 * that waits on a row lock the test holds, while the calls of the next group queue up behind it.
 */
class GroupCommitTests extends ApiTest {

    @Autowired
    private MetricIngest ingest;
    @Autowired
    private IngestSlots slots;
    @Autowired
    private PlatformTransactionManager transactionManager;
    @Autowired
    private DataSource dataSource;
    @Autowired
    private ConfigurableApplicationContext context;
    @Autowired
    private ApplicationEventMulticaster multicaster;
    @Autowired
    private TrackstackProperties properties;

    @Test
    void shouldFailOnlyTheBadCallsOfAGroupAndPublishNothingForThem() throws Exception {
        long good = run();
        long other = run();
        long refused = run();
        jdbc.update("update run set status = 'CRASHED', finished_at = now() where id = ?", refused);
        Queue<Object> delivered = new ConcurrentLinkedQueue<>();
        ApplicationListener<PayloadApplicationEvent<Object>> listener = TransactionalApplicationListener.forPayload(
                TransactionPhase.AFTER_COMMIT, delivered::add);
        context.addApplicationListener(listener);
        // PostgreSQL refuses the call's live batch, after the call stored its points, revived its run and published.
        jdbc.execute("""
                create function refuse_live_batch() returns trigger language plpgsql as $$
                begin
                  if exists (select 1 from metric_series s where s.id = any(new.series_ids) and s.name = 'refused') then
                    raise exception 'refused by the test';
                  end if;
                  return new;
                end $$;
                create trigger refuse_live_batch before insert on live_batch
                  for each row execute function refuse_live_batch();
                """);
        try {
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            IngestSlots own = new IngestSlots(ingest, jdbc, transactionManager, 1, meters);
            List<Future<LogResult>> results = inOneGroup(own, List.of(
                    () -> own.log(good, points("loss", 1, 2), "a"),
                    () -> own.log(999_999_999L, points("loss", 1), "b"),  // no such run (deleted)
                    () -> own.log(refused, points("refused", 1), "c"),
                    () -> own.log(other, points("loss", 1), "d"),
                    () -> own.log(good, points("loss", 3), "a")));  // the same batchId again in the group

            assertThat(results.get(0).get()).isEqualTo(new LogResult(2, 0));
            assertThat(cause(results.get(1))).isInstanceOfSatisfying(ApiException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
            assertThat(cause(results.get(2))).isInstanceOf(DataAccessException.class).hasMessageContaining("refused by the test");
            assertThat(results.get(3).get()).isEqualTo(new LogResult(1, 0));
            assertThat(results.get(4).get()).isEqualTo(new LogResult(0, 1));
            assertThat(meters.get("trackstack.ingest.group.size").summary().max()).isEqualTo(5);

            assertThat(steps(good)).containsExactly(1L, 2L);
            assertThat(steps(other)).containsExactly(1L);
            assertThat(steps(refused)).isEmpty();
            assertThat(jdbc.queryForObject("select count(*) from metric_series where run_id = ?", Long.class, refused))
                    .isZero();
            assertThat(jdbc.queryForList("select batch_id from ingest_batch where run_id = ?", String.class, refused))
                    .isEmpty();
            assertThat(jdbc.queryForObject("select status from run where id = ?", String.class, refused))
                    .isEqualTo("CRASHED");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(delivered)
                    .filteredOn(PointsLogged.class::isInstance).extracting(e -> ((PointsLogged) e).runId())
                    .contains(good, other));
            assertThat(delivered).as("the rolled back call's events").noneMatch(e ->
                    e instanceof PointsLogged p && p.runId() == refused || e instanceof RunEvent r && r.runId() == refused);
        } finally {
            multicaster.removeApplicationListener(listener);
            jdbc.execute("drop trigger refuse_live_batch on live_batch; drop function refuse_live_batch()");
        }

        // Its batchId was not used up: sent again without the fault, it is stored.
        assertThat(slots.log(refused, points("refused", 1), "c")).isEqualTo(new LogResult(1, 0));
        assertThat(jdbc.queryForObject("select status from run where id = ?", String.class, refused))
                .isEqualTo("RUNNING");
    }

    @Test
    void shouldStoreEveryPointOfManyWritersOnSharedSeriesExactlyOnce() throws Exception {
        List<Long> runs = List.of(run(), run(), run());
        List<String> names = List.of("loss", "acc", "lr", "grad");
        int writers = 16;
        int calls = 40;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        AtomicLong accepted = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            done.add(pool.submit(() -> {
                Random random = new Random(writer);
                List<Runnable> resends = new ArrayList<>();
                for (int i = 0; i < calls; i++) {
                    long run = runs.get(random.nextInt(runs.size()));
                    List<String> shuffled = new ArrayList<>(names);
                    Collections.shuffle(shuffled, random);
                    long step = writer * 1000L + i;
                    PointBatch points = batch(shuffled.subList(0, 1 + random.nextInt(names.size())).stream()
                            .map(name -> new MetricPointInput(name, null, step, (double) step, null)).toList());
                    String batch = "w" + writer + "-" + i;
                    LogResult result = slots.log(run, points, batch);
                    accepted.addAndGet(result.accepted());
                    assertThat(result.duplicates()).isZero();
                    resends.add(() -> assertThat(slots.log(run, points, batch))
                            .isEqualTo(new LogResult(0, points.size())));
                    if (random.nextInt(4) == 0) {  // a resend while others write, often in another group
                        resends.remove(resends.size() - 1).run();
                        duplicates.incrementAndGet();
                    }
                }
                resends.forEach(Runnable::run);
                return null;
            }));
        }
        for (Future<?> writer : done) {
            writer.get();
        }
        pool.shutdown();

        Long[] ids = runs.toArray(Long[]::new);
        assertThat(jdbc.queryForObject("""
                select count(*) from metric_point p join metric_series s on s.id = p.series_id where s.run_id = any(?)
                """, Long.class, (Object) ids)).isEqualTo(accepted.get());
        assertThat(jdbc.queryForObject("""
                select count(*) from metric_point p join metric_series s on s.id = p.series_id
                where s.run_id = any(?) and p.value <> p.step
                """, Long.class, (Object) ids)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from ingest_batch where run_id = any(?)", Long.class,
                (Object) ids)).isEqualTo((long) writers * calls);
        assertThat(jdbc.queryForObject("select sum(point_count) from metric_series where run_id = any(?)", Long.class,
                (Object) ids)).as("the series summaries").isEqualTo(accepted.get());
        assertThat(duplicates.get()).isPositive();
    }

    @Test
    void shouldRunAgainTheGroupThatPostgresChoseAsADeadlocksVictim() throws Exception {
        long run = run();
        assertThat(slots.log(run, points("e", 1), null)).isEqualTo(new LogResult(1, 0));
        IngestSlots own = new IngestSlots(ingest, jdbc, transactionManager, 1, new SimpleMeterRegistry());
        long deadlocksBefore = DatabaseStatistics.settled(this::deadlocks);
        try (Connection other = dataSource.getConnection()) {
            other.setAutoCommit(false);
            // Its deadlock check comes long after the group's (after 1 s), so the group is the victim.
            other.createStatement().execute("set local deadlock_timeout = '30s'");
            other.createStatement().execute("insert into metric_series (run_id, name) values (" + run + ", 'x')");
            // The group locks the series e, then waits to create the x this transaction holds.
            CompletableFuture<List<Future<LogResult>>> group = CompletableFuture.supplyAsync(() -> {
                try {
                    return inOneGroup(own, List.of(() -> own.log(run, points("e", 2), "first"),
                            () -> own.log(run, points("x", 1), "second")));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject("""
                    select count(*) from pg_stat_activity
                    where wait_event_type = 'Lock' and query like '%insert into metric_series%'
                    """, Long.class) > 0);
            // Now this transaction waits on the group's e: a cycle, which PostgreSQL breaks by failing the group.
            other.createStatement().execute("select id from metric_series where run_id = " + run
                    + " and name = 'e' for update");
            other.commit();
            List<Future<LogResult>> results = group.get();
            assertThat(results.get(0).get()).as("run again").isEqualTo(new LogResult(1, 0));
            assertThat(results.get(1).get()).as("run again").isEqualTo(new LogResult(1, 0));
        }
        // A backend reports its statistics when idle, at most about every 10 s.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deadlocks()).isEqualTo(deadlocksBefore + 1));
        assertThat(jdbc.queryForList("select s.name || p.step from metric_point p join metric_series s on s.id = p.series_id "
                + "where s.run_id = ? order by 1", String.class, run)).containsExactly("e1", "e2", "x1");
    }

    /**
     * A group's calls written with shared statements store and answer what they would one after the other, and
     * each that stored points tells other instances of exactly those.
     */
    @Test
    void shouldStoreCallsTogetherAsOneAfterTheOther() throws Exception {
        long a = run();
        long crashed = run();
        jdbc.update("update run set status = 'CRASHED', finished_at = now() where id = ?", crashed);
        assertThat(slots.log(a, points("loss", 1), "seen")).isEqualTo(new LogResult(1, 0));
        List<GroupCommit.Call> calls = List.of(
                new GroupCommit.Call(a, batch(List.of(point("loss", 2, 2.0), point("loss", 3, 3.0))), "x"),
                new GroupCommit.Call(crashed, points("acc", 1), null),
                new GroupCommit.Call(a, batch(List.of(point("loss", 3, -3.0), point("loss", 4, 4.0))), null),
                new GroupCommit.Call(a, points("loss", 9), "seen"),  // a batchId stored before
                new GroupCommit.Call(a, points("new", 5), "x"),  // a batchId earlier in the group
                new GroupCommit.Call(999_999_999L, points("loss", 1), null),  // no such run
                new GroupCommit.Call(crashed, points("acc"), "empty"));
        List<LogResult> results;
        List<JsonNode> notified = new ArrayList<>();
        try (Connection listener = dataSource.getConnection()) {
            listener.createStatement().execute("listen trackstack_live");
            try {
                results = new TransactionTemplate(transactionManager).execute(status -> ingest.logTogether(calls));
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    for (PGNotification n : listener.unwrap(PGConnection.class).getNotifications(100)) {
                        JsonNode message = JsonMapper.shared().readTree(n.getParameter());
                        if (message.has("batch") && (message.get("run").asLong() == a
                                || message.get("run").asLong() == crashed)) {
                            notified.add(message);
                        }
                    }
                    assertThat(notified).hasSize(3);
                });
            } finally {
                listener.createStatement().execute("unlisten *");
            }
        }

        assertThat(results).containsExactly(new LogResult(2, 0), new LogResult(1, 0), new LogResult(1, 1),
                new LogResult(0, 1), new LogResult(0, 1), null, new LogResult(0, 0));
        assertThat(jdbc.queryForList("select s.name || p.step || '=' || p.value from metric_point p "
                + "join metric_series s on s.id = p.series_id where s.run_id = ? order by p.step", String.class, a))
                .containsExactly("loss1=0.5", "loss2=2", "loss3=3", "loss4=4");
        assertThat(steps(crashed)).containsExactly(1L);
        assertThat(jdbc.queryForObject("select status from run where id = ?", String.class, crashed))
                .isEqualTo("RUNNING");
        assertThat(jdbc.queryForList("select batch_id from ingest_batch where run_id in (?, ?) order by batch_id",
                String.class, a, crashed)).containsExactly("empty", "seen", "x");
        // One live batch per call that stored points, in the calls' order, holding that call's points only.
        assertThat(notified).extracting(m -> m.get("run").asLong()).containsExactly(a, crashed, a);
        assertThat(notified).extracting(m -> jdbc.queryForObject("""
                select string_agg(s.name || ':' || r.lo || '-' || r.hi, ',')
                from live_batch b cross join unnest(b.series_ids, b.first_steps, b.last_steps) as r(id, lo, hi)
                join metric_series s on s.id = r.id where b.id = ?
                """, String.class, m.get("batch").asLong())).containsExactly("loss:2-3", "acc:1-1", "loss:4-4");
    }

    private long deadlocks() {
        return jdbc.queryForObject("select deadlocks from pg_stat_database where datname = current_database()",
                Long.class);
    }

    /**
     * Runs the calls so that they form one group: a call in the only slot waits on a lock this test holds until all
     * of them are queued behind it.
     */
    private List<Future<LogResult>> inOneGroup(IngestSlots own, List<Supplier<LogResult>> calls)
            throws Exception {
        long blocked = run();
        List<Future<LogResult>> results = new ArrayList<>();
        List<Thread> waiting = new ArrayList<>();
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            try (PreparedStatement statement = lock.prepareStatement("select id from run where id = ? for update")) {
                statement.setLong(1, blocked);
                statement.execute();
            }
            CompletableFuture<LogResult> first = CompletableFuture.supplyAsync(() ->
                    own.log(blocked, points("loss", 1), null));
            await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                    "select count(*) from pg_stat_activity where wait_event_type = 'Lock'", Long.class) > 0);
            for (Supplier<LogResult> call : calls) {
                CompletableFuture<LogResult> result = new CompletableFuture<>();
                Thread thread = new Thread(() -> {
                    try {
                        result.complete(call.get());
                    } catch (RuntimeException e) {
                        result.completeExceptionally(e);
                    }
                });
                thread.start();
                // Waiting with a timeout only happens once the call is queued (for the slot or for its group).
                await().atMost(Duration.ofSeconds(30)).until(() -> thread.getState() == Thread.State.TIMED_WAITING);
                waiting.add(thread);
                results.add(result);
            }
            lock.commit();
            assertThat(first.get()).isEqualTo(new LogResult(1, 0));
        }
        for (Thread thread : waiting) {
            thread.join();
        }
        return results;
    }

    private long run() {
        return Long.parseLong(createRun());
    }

    private PointBatch points(String name, long... steps) {
        List<MetricPointInput> points = new ArrayList<>();
        for (long step : steps) {
            points.add(new MetricPointInput(name, null, step, 0.5, null));
        }
        return batch(points);
    }

    private static MetricPointInput point(String name, long step, double value) {
        return new MetricPointInput(name, null, step, value, null);
    }

    private PointBatch batch(List<MetricPointInput> points) {
        return PointBatch.ofPoints(points, properties.limits());
    }

    private List<Long> steps(long run) {
        return jdbc.queryForList("select p.step from metric_point p join metric_series s on s.id = p.series_id "
                + "where s.run_id = ? order by p.step", Long.class, run);
    }

    private static Throwable cause(Future<LogResult> result) {
        try {
            result.get();
            throw new AssertionError("the call succeeded");
        } catch (Exception e) {
            return e.getCause();
        }
    }
}
