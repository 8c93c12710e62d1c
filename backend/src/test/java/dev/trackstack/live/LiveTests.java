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
import java.util.stream.LongStream;

import dev.trackstack.ApiTest;
import dev.trackstack.TrackstackApplication;
import dev.trackstack.metric.MetricIngest;
import dev.trackstack.metric.MetricPointInput;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.websocket.ContainerProvider;
import jakarta.websocket.WebSocketContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.reactive.socket.client.StandardWebSocketClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class LiveTests extends ApiTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Autowired
    private LiveHub hub;
    @Autowired
    private MetricIngest ingest;
    @Autowired
    private TransactionTemplate transactions;
    @Autowired
    private ClusterListener listener;
    @Autowired
    private MeterRegistry registry;

    private final List<WebSocketGraphQlTester> sockets = new ArrayList<>();

    /** A second instance on this one's database, on a port of its own. */
    private String[] otherInstance() {
        List<String> args = new ArrayList<>(List.of(sameDatabase()));
        args.add("--server.port=0");
        return args.toArray(String[]::new);
    }

    @AfterEach
    void closeSockets() {
        sockets.forEach(socket -> socket.stop().block(Duration.ofSeconds(10)));
        sockets.clear();
    }

    @Test
    void shouldDeliverExactlyTheLoggedPointsToASubscriber() {
        String run = createRun();

        StepVerifier.create(metricPoints(port, Map.of("runIds", List.of(run), "names", List.of("loss"))))
                .then(subscribed(hub))
                .then(() -> logMetrics(run, List.of(point("loss", "train", 2, 0.5), point("loss", "train", 1, "NaN"),
                        point("accuracy", "train", 1, 0.9)), null))
                .assertNext(batch -> {
                    assertThat(batch).containsEntry("runId", run).containsEntry("gap", false);
                    assertThat(steps(batch)).containsExactly(1, 2);
                    assertThat(values(batch)).containsExactly("NaN", 0.5);
                })
                // A retried batch stores nothing new, so nothing is sent.
                .then(() -> {
                    logMetrics(run, List.of(point("loss", "train", 2, 0.5)), null);
                    logMetrics(run, List.of(point("loss", "train", 3, 0.4)), null);
                })
                .assertNext(batch -> assertThat(steps(batch)).containsExactly(3))
                .thenCancel().verify(TIMEOUT);
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldDeliverABatchSeriesBySeriesColumnByColumn() {
        String run = createRun();

        StepVerifier.create(socket(port).documentName("metricPointSeries").variable("runIds", List.of(run))
                        .executeSubscription().toFlux("metricPoints.series", List.class))
                .then(subscribed(hub))
                .then(() -> logMetrics(run, List.of(point("loss", "train", 2, 0.5), point("loss", "train", 1, "NaN"),
                        point("loss", null, 1, 0.7), point("accuracy", "train", 1, 0.9)), null))
                .assertNext(list -> {
                    List<Map<String, Object>> series = list;
                    assertThat(series).extracting(s -> s.get("name"), s -> s.get("split"))
                            .containsExactly(tuple("accuracy", "train"), tuple("loss", null), tuple("loss", "train"));
                    assertThat(series.get(2)).containsEntry("steps", List.of(1, 2))
                            .containsEntry("values", List.of("NaN", 0.5));
                    assertThat((List<String>) series.get(2).get("times")).hasSize(2).allMatch(time -> time.endsWith("Z"));
                })
                .thenCancel().verify(TIMEOUT);
    }

    @Test
    void shouldSendNothingForARolledBackBatch() {
        String run = createRun();

        StepVerifier.create(metricPoints(port, Map.of("runIds", List.of(run))))
                .then(subscribed(hub))
                .then(() -> {
                    transactions.executeWithoutResult(tx -> {
                        ingest.log(Long.parseLong(run), List.of(new MetricPointInput("loss", null, 1L, 9.0, null)),
                                null);
                        tx.setRollbackOnly();
                    });
                    logMetrics(run, List.of(point("loss", null, 2, 1.0)), null);
                })
                .assertNext(batch -> assertThat(steps(batch)).containsExactly(2))
                .expectNoEvent(Duration.ofMillis(500))
                .thenCancel().verify(TIMEOUT);
    }

    @Test
    void shouldNeverLetAStalledSubscriberBlockIngest() {
        long run = Long.parseLong(createRun());
        double dropped = dropped("buffer_full");

        // Requests nothing at first, like a client whose socket stopped reading.
        StepVerifier.create(hub.metricPoints(Set.of(run), null), 0)
                .then(() -> {
                    long started = System.nanoTime();
                    for (int i = 0; i < 300; i++) {
                        ingest.log(run, List.of(new MetricPointInput("loss", null, (long) i, 1.0, null)), null);
                    }
                    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
                })
                // The 256 buffered batches arrive in order, the other 44 were dropped, and the next batch says so.
                .thenRequest(257)
                .recordWith(ArrayList::new)
                .expectNextCount(256)
                .consumeRecordedWith(received -> assertThat(received).noneMatch(MetricPointBatch::gap)
                        .extracting(batch -> batch.points().get(0).step())
                        .containsExactly(LongStream.range(0, 256).boxed().toArray(Long[]::new)))
                .then(() -> ingest.log(run, List.of(new MetricPointInput("loss", null, 1000L, 1.0, null)), null))
                .assertNext(batch -> assertThat(batch.gap()).isTrue())
                .thenCancel().verify(TIMEOUT);
        assertThat(dropped("buffer_full") - dropped).isEqualTo(44);
    }

    @Test
    void shouldMarkTheGapOnTheNextBatchOfTheRunThatLostPoints() {
        long run = Long.parseLong(createRun());
        long other = Long.parseLong(createRun());

        StepVerifier.create(hub.metricPoints(Set.of(run, other), null), 0)
                .then(() -> {
                    for (int i = 0; i <= 256; i++) {  // the last one finds the buffer full
                        ingest.log(run, List.of(new MetricPointInput("loss", null, (long) i, 1.0, null)), null);
                    }
                })
                .thenRequest(258)
                .expectNextCount(256)
                .then(() -> {
                    ingest.log(other, List.of(new MetricPointInput("loss", null, 1L, 1.0, null)), null);
                    ingest.log(run, List.of(new MetricPointInput("loss", null, 1000L, 1.0, null)), null);
                })
                .recordWith(ArrayList::new)
                .expectNextCount(2)
                .consumeRecordedWith(next -> assertThat(next).extracting(MetricPointBatch::runId, MetricPointBatch::gap)
                        .containsExactly(tuple(other, false), tuple(run, true)))
                .thenCancel().verify(TIMEOUT);
    }

    @Test
    void shouldStreamRunEventsOfAProject() {
        String[] run = new String[1];
        Object[] created = new Object[1];

        // The event may come before createRun's answer: its run id is compared once both are there.
        StepVerifier.create(socket(port).documentName("runEvents").variable("project", project).executeSubscription()
                        .toFlux("runEvents", Map.class))
                .then(subscribed(hub))
                .then(() -> run[0] = createRun())
                .assertNext(event -> {
                    assertThat(event).containsEntry("type", "CREATED").containsEntry("project", project);
                    created[0] = event.get("runId");
                })
                .then(() -> {
                    assertThat(created[0]).isEqualTo(run[0]);
                    graphQl.documentName("updateRunStatus").variable("runId", run[0]).variable("status", "FAILED")
                            .execute();
                })
                .assertNext(changed -> {
                    assertThat(changed).containsEntry("type", "STATUS_CHANGED");
                    assertThat(changed.get("run")).isEqualTo(Map.of("status", "FAILED"));
                })
                .then(() -> {
                    for (int i = 0; i < 5; i++) {
                        logMetrics(run[0], List.of(point("loss", null, i, 1.0)), null);
                    }
                })
                .assertNext(summary -> assertThat(summary).containsEntry("type", "SUMMARY_CHANGED"))
                .then(() -> graphQl.documentName("logConsole").variable("runId", run[0]).variable("lines",
                        List.of(Map.of("line", 0, "stream", "STDOUT", "text", "epoch 1"))).execute())
                // the five calls' summary events may straddle two flushes, and a flush sends its events in any order
                .thenConsumeWhile(event -> "SUMMARY_CHANGED".equals(event.get("type")))
                .assertNext(printed -> assertThat(printed).containsEntry("type", "CONSOLE_APPENDED")
                        .containsEntry("runId", run[0]))
                .then(() -> graphQl.documentName("deleteRuns").variable("ids", List.of(run[0])).execute())
                .thenConsumeWhile(event -> "SUMMARY_CHANGED".equals(event.get("type")))
                .assertNext(deleted -> assertThat(deleted).containsEntry("type", "DELETED").containsEntry("run", null))
                .thenCancel().verify(TIMEOUT);
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

            StepVerifier.create(metricPoints(otherPort, Map.of("runIds", List.of(run, another))))
                    .then(subscribed(otherHub))
                    // read back from the database by the other instance, and still series by series in step order
                    .then(() -> {
                        logMetrics(run, List.of(point("loss", "train", 8, 0.2), point("acc", "train", 7, 0.9),
                                point("loss", "train", 7, 0.25)), null);
                        logMetrics(another, List.of(point("loss", "train", 7, 0.5)), null);
                    })
                    .assertNext(batch -> {
                        assertThat(batch).isNotNull().containsEntry("runId", run);
                        assertThat(steps(batch)).containsExactly(7, 7, 8);
                        assertThat(values(batch)).containsExactly(0.9, 0.25, 0.2);
                    })
                    .assertNext(next -> {
                        assertThat(next).isNotNull().containsEntry("runId", another);
                        assertThat(values(next)).containsExactly(0.5);
                    })
                    .thenCancel().verify(TIMEOUT);
            closeSockets();  // before the other instance stops and closes the socket under the subscription
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldStoreAndDeliverABatchOfAThousandSeriesHereAndOnAnotherInstance() throws Exception {
        try (ConfigurableApplicationContext other = new SpringApplication(TrackstackApplication.class).run(
                otherInstance())) {
            int otherPort = ((WebServerApplicationContext) other).getWebServer().getPort();
            String run = createRun();
            // 1,000 names at one step: as ranges inline, the notification would pass PostgreSQL's 8,000 bytes.
            List<Map<String, Object>> points = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                points.add(point("layer" + i + ".grad_norm", "train", 7, i / 1000.0));
            }

            StepVerifier.create(Flux.zip(metricPoints(port, Map.of("runIds", List.of(run))),
                            metricPoints(otherPort, Map.of("runIds", List.of(run)))))
                    .then(subscribed(hub))
                    .then(subscribed(other.getBean(LiveHub.class)))
                    .then(() -> logMetrics(run, points, null).path("logMetrics.accepted").entity(Integer.class)
                            .isEqualTo(1000))
                    .assertNext(hereAndThere -> {
                        for (Map<String, Object> batch : List.of(hereAndThere.getT1(), hereAndThere.getT2())) {
                            assertThat(batch).isNotNull().containsEntry("runId", run);
                            assertThat((List<Map<String, Object>>) batch.get("points")).hasSize(1000)
                                    .extracting(p -> p.get("name")).doesNotHaveDuplicates()
                                    .allMatch(name -> ((String) name).endsWith(".grad_norm"));
                        }
                    })
                    .thenCancel().verify(TIMEOUT);
            assertThat(jdbc.queryForObject("select count(*) from metric_point p join metric_series s "
                    + "on s.id = p.series_id where s.run_id = ?", Long.class, Long.parseLong(run))).isEqualTo(1000);
            closeSockets();  // before the other instance stops and closes the socket under the subscription
        }
    }

    @Test
    void shouldSkipPointsOfOtherInstancesThatCameTooLateAndMarkTheGap() {
        String run = createRun();
        double late = dropped("late");

        StepVerifier.create(hub.metricPoints(Set.of(Long.parseLong(run)), null))
                .then(() -> logMetrics(run, List.of(point("loss", null, 1, 1.0), point("loss", null, 2, 2.0),
                        point("loss", null, 3, 3.0)), null))
                .expectNextCount(1)
                .then(() -> {
                    long series = jdbc.queryForObject("select id from metric_series where run_id = ?", Long.class,
                            Long.parseLong(run));
                    long now = System.currentTimeMillis();
                    // As another instance would send them: step 1 too long ago, then step 2 and step 3 in time.
                    listener.receive(List.of(pointsEvent(run, series, 1, now - ClusterListener.MAX_LAG_MILLIS - 1),
                            pointsEvent(run, series, 2, now - 10), pointsEvent(run, series, 3, now)), now);
                })
                .recordWith(ArrayList::new)
                .expectNextCount(2)
                .consumeRecordedWith(next -> {
                    assertThat(next).extracting(batch -> batch.points().get(0).step(), MetricPointBatch::gap)
                            .containsExactly(tuple(2L, true), tuple(3L, false));
                    assertThat(next.iterator().next().series().get(0).name()).isEqualTo("loss");
                })
                .thenCancel().verify(TIMEOUT);
        assertThat(dropped("late") - late).isEqualTo(1);
    }

    /** trackstack_live_dropped_events_total of this instance, for one reason. */
    private double dropped(String reason) {
        return registry.get("trackstack.live.dropped").tag("reason", reason).counter().count();
    }

    @Test
    void shouldPassOnTracesStoredByAnotherInstanceOncePerFlush() {
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        StepVerifier.create(hub.tracesStored(Set.of(project), 7L))
                .then(() -> {
                    listener.receive(List.of(new ClusterMessage("another instance", 0, project, null,
                            Map.of(trace, Set.of(7L)), null, 0L, null), new ClusterMessage("another instance", 0,
                            project, null, Map.of(trace, Set.of(8L), "00000000000000000000000000000001", Set.of(8L)),
                            null, 0L, null)), 0);
                    hub.flushCoalesced();
                })
                .assertNext(stored -> {
                    assertThat(stored.project()).isEqualTo(project);
                    assertThat(stored.traces()).containsOnlyKeys(trace);
                    assertThat(stored.traces().get(trace)).containsExactlyInAnyOrder(7L, 8L);
                })
                .thenCancel().verify(TIMEOUT);
    }

    private ClusterMessage pointsEvent(String run, long series, long step, long sentAt) {
        long batch = jdbc.queryForObject("insert into live_batch (series_ids, first_steps, last_steps) "
                + "values (?, ?, ?) returning id", Long.class, new long[] {series}, new long[] {step}, new long[] {step});
        return new ClusterMessage("another instance", Long.parseLong(run), project, null, null, batch, sentAt, null);
    }

    /** A GraphQL client on a real WebSocket to the server on this port, closed after the test. */
    private WebSocketGraphQlTester socket(int serverPort) {
        // Tomcat's client takes messages of up to 8 KB by default; a batch of 1,000 points is about 100 KB.
        WebSocketContainer container = ContainerProvider.getWebSocketContainer();
        container.setDefaultMaxTextMessageBufferSize(1 << 20);
        WebSocketGraphQlTester socket = WebSocketGraphQlTester.builder(URI.create("ws://localhost:" + serverPort
                + "/graphql"), new StandardWebSocketClient(container)).build();
        sockets.add(socket);
        return socket;
    }

    @SuppressWarnings("unchecked")
    private Flux<Map<String, Object>> metricPoints(int serverPort, Map<String, Object> variables) {
        return socket(serverPort).documentName("metricPoints").variables(variables).executeSubscription()
                .toFlux("metricPoints", Map.class).map(batch -> (Map<String, Object>) batch);
    }

    /**
     * A step that waits until the hub has one subscriber more than now: there is no acknowledgement of a
     * subscription in graphql-transport-ws, and what is published before it arrives is not sent.
     */
    static Runnable subscribed(LiveHub hub) {
        int before = hub.subscriberCount();
        return () -> await().atMost(Duration.ofSeconds(10)).until(hub::subscriberCount, count -> count > before);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> steps(Map<String, Object> batch) {
        return ((List<Map<String, Object>>) batch.get("points")).stream().map(p -> p.get("step")).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> values(Map<String, Object> batch) {
        return ((List<Map<String, Object>>) batch.get("points")).stream().map(p -> p.get("value")).toList();
    }
}
