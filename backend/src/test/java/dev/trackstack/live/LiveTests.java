package dev.trackstack.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.stream.LongStream;

import dev.trackstack.ApiTest;
import dev.trackstack.TrackstackApplication;
import dev.trackstack.metric.MetricIngest;
import dev.trackstack.metric.MetricPointInput;
import jakarta.websocket.ContainerProvider;
import jakarta.websocket.WebSocketContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.graphql.client.WebSocketGraphQlClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.reactive.socket.client.StandardWebSocketClient;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;

class LiveTests extends ApiTest {

    private static final String METRIC_POINTS = """
            subscription($runIds: [ID!]!, $names: [String!]) {
              metricPoints(runIds: $runIds, names: $names) { runId gap points { name split step value time } }
            }""";

    @Autowired
    private LiveHub hub;
    @Autowired
    private MetricIngest ingest;
    @Autowired
    private TransactionTemplate transactions;
    @Autowired
    private ClusterListener listener;

    private final List<Disposable> subscriptions = new ArrayList<>();

    /** A second instance on this one's database, on a port of its own. */
    private String[] otherInstance() {
        List<String> args = new ArrayList<>(List.of(sameDatabase()));
        args.add("--server.port=0");
        return args.toArray(String[]::new);
    }

    @AfterEach
    void unsubscribe() {
        subscriptions.forEach(Disposable::dispose);
        subscriptions.clear();
    }

    @Test
    void shouldDeliverExactlyTheLoggedPointsToASubscriber() throws Exception {
        String run = createRun();
        BlockingQueue<Map<String, Object>> received = subscribe(port, hub::subscriberCount, METRIC_POINTS,
                Map.of("runIds", List.of(run), "names", List.of("loss")));

        logMetrics(run, List.of(point("loss", "train", 2, 0.5), point("loss", "train", 1, "NaN"),
                point("accuracy", "train", 1, 0.9)), null);

        Map<String, Object> batch = received.poll(10, TimeUnit.SECONDS);
        assertThat(batch).containsEntry("runId", run).containsEntry("gap", false);
        assertThat(steps(batch)).containsExactly(1, 2);
        assertThat(values(batch)).containsExactly("NaN", 0.5);
        // A retried batch stores nothing new, so nothing is sent.
        logMetrics(run, List.of(point("loss", "train", 2, 0.5)), null);
        logMetrics(run, List.of(point("loss", "train", 3, 0.4)), null);
        assertThat(steps(received.poll(10, TimeUnit.SECONDS))).containsExactly(3);
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldDeliverABatchSeriesBySeriesColumnByColumn() throws Exception {
        String run = createRun();
        BlockingQueue<Map<String, Object>> received = subscribe(port, hub::subscriberCount, """
                subscription($runIds: [ID!]!) {
                  metricPoints(runIds: $runIds) { series { name split steps times values } }
                }""", Map.of("runIds", List.of(run)));

        logMetrics(run, List.of(point("loss", "train", 2, 0.5), point("loss", "train", 1, "NaN"),
                point("loss", null, 1, 0.7), point("accuracy", "train", 1, 0.9)), null);

        List<Map<String, Object>> series = (List<Map<String, Object>>) received.poll(10, TimeUnit.SECONDS).get("series");
        assertThat(series).extracting(s -> s.get("name"), s -> s.get("split"))
                .containsExactly(tuple("accuracy", "train"), tuple("loss", null), tuple("loss", "train"));
        assertThat(series.get(2)).containsEntry("steps", List.of(1, 2)).containsEntry("values", List.of("NaN", 0.5));
        assertThat((List<String>) series.get(2).get("times")).hasSize(2).allMatch(time -> time.endsWith("Z"));
    }

    @Test
    void shouldSendNothingForARolledBackBatch() throws Exception {
        String run = createRun();
        BlockingQueue<Map<String, Object>> received = subscribe(port, hub::subscriberCount, METRIC_POINTS,
                Map.of("runIds", List.of(run)));

        transactions.executeWithoutResult(tx -> {
            ingest.log(Long.parseLong(run), List.of(new MetricPointInput("loss", null, 1L, 9.0, null)), null);
            tx.setRollbackOnly();
        });
        logMetrics(run, List.of(point("loss", null, 2, 1.0)), null);

        assertThat(steps(received.poll(10, TimeUnit.SECONDS))).containsExactly(2);
        assertThat(received.poll(500, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void shouldNeverLetAStalledSubscriberBlockIngest() {
        String run = createRun();
        StalledSubscriber stalled = new StalledSubscriber();
        hub.metricPoints(Set.of(Long.parseLong(run)), null).subscribe(stalled);

        long started = System.nanoTime();
        for (int i = 0; i < 300; i++) {
            ingest.log(Long.parseLong(run), List.of(new MetricPointInput("loss", null, (long) i, 1.0, null)), null);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));

        // The 256 buffered batches arrive in order, the other 44 were dropped, and the next batch says so.
        stalled.request(257);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(stalled.received).hasSize(256));
        assertThat(stalled.received).noneMatch(MetricPointBatch::gap).extracting(batch -> batch.points().get(0).step())
                .containsExactly(LongStream.range(0, 256).boxed().toArray(Long[]::new));
        ingest.log(Long.parseLong(run), List.of(new MetricPointInput("loss", null, 1000L, 1.0, null)), null);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(stalled.received).hasSize(257));
        assertThat(stalled.received.get(256).gap()).isTrue();
        stalled.dispose();
    }

    @Test
    void shouldMarkTheGapOnTheNextBatchOfTheRunThatLostPoints() {
        String run = createRun();
        String other = createRun();
        StalledSubscriber stalled = new StalledSubscriber();
        hub.metricPoints(Set.of(Long.parseLong(run), Long.parseLong(other)), null).subscribe(stalled);
        for (int i = 0; i <= 256; i++) {  // the last one finds the buffer full
            ingest.log(Long.parseLong(run), List.of(new MetricPointInput("loss", null, (long) i, 1.0, null)), null);
        }
        stalled.request(258);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(stalled.received).hasSize(256));

        ingest.log(Long.parseLong(other), List.of(new MetricPointInput("loss", null, 1L, 1.0, null)), null);
        ingest.log(Long.parseLong(run), List.of(new MetricPointInput("loss", null, 1000L, 1.0, null)), null);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(stalled.received).hasSize(258));
        assertThat(stalled.received.subList(256, 258)).extracting(MetricPointBatch::runId, MetricPointBatch::gap)
                .containsExactly(tuple(Long.parseLong(other), false), tuple(Long.parseLong(run), true));
        stalled.dispose();
    }

    @Test
    void shouldStreamRunEventsOfAProject() throws Exception {
        BlockingQueue<Map<String, Object>> received = subscribe(port, hub::subscriberCount,
                "subscription($p: String) { runEvents(project: $p) { type runId project run { status } } }",
                Map.of("p", project));

        String run = createRun();
        assertThat(received.poll(10, TimeUnit.SECONDS)).containsEntry("type", "CREATED").containsEntry("runId", run)
                .containsEntry("project", project);
        graphQl.document("mutation($id: ID!) { updateRunStatus(runId: $id, status: FAILED) { status } }")
                .variable("id", run).execute();
        Map<String, Object> changed = received.poll(10, TimeUnit.SECONDS);
        assertThat(changed).containsEntry("type", "STATUS_CHANGED");
        assertThat(changed.get("run")).isEqualTo(Map.of("status", "FAILED"));
        for (int i = 0; i < 5; i++) {
            logMetrics(run, List.of(point("loss", null, i, 1.0)), null);
        }
        assertThat(received.poll(10, TimeUnit.SECONDS)).containsEntry("type", "SUMMARY_CHANGED");
        graphQl.document("mutation($ids: [ID!]!) { deleteRuns(ids: $ids) }").variable("ids", List.of(run)).execute();
        Map<String, Object> deleted = received.poll(10, TimeUnit.SECONDS);
        assertThat(deleted).containsEntry("type", "DELETED").containsEntry("run", null);
    }

    @Test
    void shouldRefuseASubscriptionSentAsAJsonPostAndKeepNothingOfIt() throws Exception {
        int before = hub.subscriberCount();
        HttpResponse<String> response = postGraphQl(port,
                "{\"query\": \"subscription { runEvents { runId } }\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("BAD_USER_INPUT", "WebSocket").doesNotContain("upstreamPublisher");
        assertThat(hub.subscriberCount()).isEqualTo(before);
    }

    @Test
    void shouldShareEventsWithAnotherInstanceThroughTheDatabase() throws Exception {
        try (ConfigurableApplicationContext other = new SpringApplication(TrackstackApplication.class).run(
                otherInstance())) {
            int otherPort = ((WebServerApplicationContext) other).getWebServer().getPort();
            LiveHub otherHub = other.getBean(LiveHub.class);
            String run = createRun();
            String another = createRun();
            BlockingQueue<Map<String, Object>> received = subscribe(otherPort, otherHub::subscriberCount,
                    METRIC_POINTS, Map.of("runIds", List.of(run, another)));

            // read back from the database by the other instance, and still series by series in step order
            logMetrics(run, List.of(point("loss", "train", 8, 0.2), point("acc", "train", 7, 0.9),
                    point("loss", "train", 7, 0.25)), null);
            logMetrics(another, List.of(point("loss", "train", 7, 0.5)), null);

            Map<String, Object> batch = received.poll(10, TimeUnit.SECONDS);
            assertThat(batch).isNotNull().containsEntry("runId", run);
            assertThat(steps(batch)).containsExactly(7, 7, 8);
            assertThat(values(batch)).containsExactly(0.9, 0.25, 0.2);
            Map<String, Object> next = received.poll(10, TimeUnit.SECONDS);
            assertThat(next).isNotNull().containsEntry("runId", another);
            assertThat(values(next)).containsExactly(0.5);
            unsubscribe();  // before the other instance stops and closes the socket under the subscription
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldStoreAndDeliverABatchOfAThousandSeriesHereAndOnAnotherInstance() throws Exception {
        try (ConfigurableApplicationContext other = new SpringApplication(TrackstackApplication.class).run(
                otherInstance())) {
            int otherPort = ((WebServerApplicationContext) other).getWebServer().getPort();
            String run = createRun();
            BlockingQueue<Map<String, Object>> here = subscribe(port, hub::subscriberCount, METRIC_POINTS,
                    Map.of("runIds", List.of(run)));
            BlockingQueue<Map<String, Object>> there = subscribe(otherPort, other.getBean(LiveHub.class)::subscriberCount,
                    METRIC_POINTS, Map.of("runIds", List.of(run)));
            // 1,000 names at one step: as ranges inline, the notification would pass PostgreSQL's 8,000 bytes.
            List<Map<String, Object>> points = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                points.add(point("layer" + i + ".grad_norm", "train", 7, i / 1000.0));
            }

            logMetrics(run, points, null).path("logMetrics.accepted").entity(Integer.class).isEqualTo(1000);

            for (BlockingQueue<Map<String, Object>> received : List.of(here, there)) {
                Map<String, Object> batch = received.poll(30, TimeUnit.SECONDS);
                assertThat(batch).isNotNull().containsEntry("runId", run);
                assertThat((List<Map<String, Object>>) batch.get("points")).hasSize(1000)
                        .extracting(p -> p.get("name")).doesNotHaveDuplicates()
                        .allMatch(name -> ((String) name).endsWith(".grad_norm"));
            }
            assertThat(jdbc.queryForObject("select count(*) from metric_point p join metric_series s "
                    + "on s.id = p.series_id where s.run_id = ?", Long.class, Long.parseLong(run))).isEqualTo(1000);
            unsubscribe();  // before the other instance stops and closes the socket under the subscription
        }
    }

    @Test
    void shouldSkipPointsOfOtherInstancesThatCameTooLateAndMarkTheGap() {
        String run = createRun();
        StalledSubscriber subscriber = new StalledSubscriber();
        hub.metricPoints(Set.of(Long.parseLong(run)), null).subscribe(subscriber);
        subscriber.request(10);
        logMetrics(run, List.of(point("loss", null, 1, 1.0), point("loss", null, 2, 2.0),
                point("loss", null, 3, 3.0)), null);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(subscriber.received).hasSize(1));
        long series = jdbc.queryForObject("select id from metric_series where run_id = ?", Long.class,
                Long.parseLong(run));
        long now = System.currentTimeMillis();

        // As another instance would send them: step 1 too long ago, then step 2 and step 3 in time.
        listener.receive(List.of(pointsEvent(run, series, 1, now - ClusterListener.MAX_LAG_MILLIS - 1),
                pointsEvent(run, series, 2, now - 10), pointsEvent(run, series, 3, now)), now);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(subscriber.received).hasSize(3));
        assertThat(subscriber.received.subList(1, 3)).extracting(batch -> batch.points().get(0).step(),
                MetricPointBatch::gap).containsExactly(tuple(2L, true), tuple(3L, false));
        assertThat(subscriber.received.get(1).series().get(0).name()).isEqualTo("loss");
        subscriber.dispose();
    }

    private ClusterMessage pointsEvent(String run, long series, long step, long sentAt) {
        long batch = jdbc.queryForObject("insert into live_batch (series_ids, first_steps, last_steps) "
                + "values (?, ?, ?) returning id", Long.class, new long[] {series}, new long[] {step}, new long[] {step});
        return new ClusterMessage("another instance", Long.parseLong(run), project, null, batch, sentAt);
    }

    /** Subscribes over a real WebSocket and waits until the server has registered the subscription. */
    private BlockingQueue<Map<String, Object>> subscribe(int serverPort, IntSupplier subscriberCount, String document,
            Map<String, Object> variables) throws InterruptedException {
        int before = subscriberCount.getAsInt();
        // Tomcat's client takes messages of up to 8 KB by default; a batch of 1,000 points is about 100 KB.
        WebSocketContainer container = ContainerProvider.getWebSocketContainer();
        container.setDefaultMaxTextMessageBufferSize(1 << 20);
        WebSocketGraphQlClient client = WebSocketGraphQlClient.builder(
                URI.create("ws://localhost:" + serverPort + "/graphql"), new StandardWebSocketClient(container)).build();
        BlockingQueue<Map<String, Object>> received = new LinkedBlockingQueue<>();
        String field = document.contains("metricPoints") ? "metricPoints" : "runEvents";
        subscriptions.add(client.document(document).variables(variables).retrieveSubscription(field)
                .toEntity(Map.class).subscribe(received::add));
        subscriptions.add(() -> client.stop().block());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (subscriberCount.getAsInt() <= before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(subscriberCount.getAsInt()).as("subscription registered").isGreaterThan(before);
        return received;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> steps(Map<String, Object> batch) {
        return ((List<Map<String, Object>>) batch.get("points")).stream().map(p -> p.get("step")).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> values(Map<String, Object> batch) {
        return ((List<Map<String, Object>>) batch.get("points")).stream().map(p -> p.get("value")).toList();
    }

    /** Requests nothing until told to, like a client whose socket stopped reading. */
    private static final class StalledSubscriber extends BaseSubscriber<MetricPointBatch> {

        final List<MetricPointBatch> received = new CopyOnWriteArrayList<>();

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            // no demand
        }

        @Override
        protected void hookOnNext(MetricPointBatch batch) {
            received.add(batch);
        }
    }
}
