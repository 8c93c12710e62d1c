package dev.trackstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * SIGTERM to the packaged jar while writers send large batches and a dashboard is subscribed: every call
 * the server answered with success is stored whole, the others are stored whole or not at all (never half),
 * calls in flight at the signal finish, and the subscriber's socket is closed with 1001 (going away), not cut.
 */
class GracefulShutdownIT extends PackagedServerTest {

    private static final int WRITERS = 4;
    private static final int BATCH = 10_000;
    private static final long RECEIVED_MILLIS = 50;
    private static final String LOG_METRICS = "mutation($r: ID!, $p: [MetricPointInput!]!, $b: String) "
            + "{ logMetrics(runId: $r, points: $p, batchId: $b) { accepted duplicates } }";

    private final Queue<Call> calls = new ConcurrentLinkedQueue<>();
    /** Start times of the calls sent and not yet answered, by batch id. */
    private final Map<String, Long> sending = new ConcurrentHashMap<>();
    @Test
    void shouldFinishCallsInFlightAndCloseWebSocketsOnSigterm() throws Exception {
        start();
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            runs.add(server.createRun("shutdown"));
        }
        Subscriber subscriber = Subscriber.subscribe(server, runs);

        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        List<Future<?>> writers = runs.stream().<Future<?>>map(run -> pool.submit(() -> write(run))).toList();
        awaitAnswered(WRITERS);
        assertThat(subscriber.messages.poll(30, TimeUnit.SECONDS)).as("a batch reached the subscriber").isNotNull();
        Set<String> inFlight = awaitCallInFlight();
        server.process().destroy();  // SIGTERM
        assertThat(server.process().waitFor(60, TimeUnit.SECONDS)).as("the server exits").isTrue();
        for (Future<?> writer : writers) {
            writer.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        // Calls in flight at the signal, sent early enough that the server had them, finish with an answer.
        assertThat(calls).filteredOn(call -> inFlight.contains(call.batchId())).as("calls in flight at the signal")
                .hasSize(inFlight.size()).allMatch(Call::succeeded);
        assertThat(subscriber.awaitEnd()).as("how the subscription ended").containsExactly("close 1001");

        start();
        for (Call call : calls) {
            long stored = storedPoints(call);
            if (call.succeeded()) {
                assertThat(stored).as("points of answered batch %s", call.batchId()).isEqualTo(BATCH);
            } else {
                assertThat(stored).as("points of unanswered batch %s", call.batchId()).isIn(0L, (long) BATCH);
            }
        }
    }

    private void start() throws Exception {
        server = PackagedServer.start(work, "--trackstack.data-dir=" + work.resolve("data"));
    }

    /** Sends batches of consecutive steps until a call fails (the server is going or gone). */
    private void write(String run) {
        for (int n = 0; ; n++) {
            String batchId = run + "-" + n;
            long firstStep = (long) n * BATCH;
            List<Map<String, Object>> points = LongStream.range(firstStep, firstStep + BATCH)
                    .mapToObj(step -> Map.<String, Object>of("name", "loss", "step", step, "value", 0.5)).toList();
            sending.put(batchId, System.nanoTime());
            boolean succeeded;
            try {
                HttpResponse<String> response = server.post(LOG_METRICS, Map.of("r", run, "p", points, "b", batchId));
                JsonNode body = PackagedServer.JSON.readTree(response.body());
                succeeded = response.statusCode() == 200 && body.at("/data/logMetrics/accepted").asInt() == BATCH;
            } catch (Exception refusedOrCut) {
                succeeded = false;
            }
            calls.add(new Call(run, batchId, firstStep, succeeded));
            sending.remove(batchId);
            if (!succeeded) {
                return;
            }
        }
    }

    private void awaitAnswered(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (calls.stream().filter(Call::succeeded).count() < count) {
            assertThat(System.nanoTime()).as("%d batches stored in time", count).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /**
     * Waits until some call has been on its way for {@value #RECEIVED_MILLIS} ms, long enough for a 10,000-point
     * body on loopback to have reached the server, and answers the batch ids of all such calls.
     */
    private Set<String> awaitCallInFlight() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            long received = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(RECEIVED_MILLIS);
            Set<String> inFlight = sending.entrySet().stream().filter(call -> call.getValue() < received)
                    .map(Map.Entry::getKey).collect(Collectors.toSet());
            if (!inFlight.isEmpty()) {
                return inFlight;
            }
            assertThat(System.nanoTime()).as("a call in flight for %d ms", RECEIVED_MILLIS).isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    private long storedPoints(Call call) throws Exception {
        return server.data("query($r: ID!, $from: Long, $to: Long) { series(runIds: [$r], maxPoints: 10000, "
                + "fromStep: $from, toStep: $to) { points { step } } }", Map.of("r", call.runId(),
                "from", call.firstStep(), "to", call.firstStep() + BATCH - 1)).at("/series/0/points").size();
    }

    private record Call(String runId, String batchId, long firstStep, boolean succeeded) {
    }

    /**
     * A dashboard's subscription to metricPoints over graphql-transport-ws on the JDK's WebSocket client, which
     * reports how the socket ended: a close frame with its code, or an error when the connection just drops.
     */
    private static final class Subscriber implements WebSocket.Listener {

        final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        private final List<String> ending = new CopyOnWriteArrayList<>();
        private final CompletableFuture<Void> ended = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        static Subscriber subscribe(PackagedServer server, List<String> runs) throws Exception {
            Subscriber subscriber = new Subscriber();
            WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("graphql-transport-ws")
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port + "/graphql"), subscriber).join();
            socket.sendText("{\"type\":\"connection_init\"}", true).join();
            assertThat(subscriber.messages.poll(10, TimeUnit.SECONDS).get("type").asString()).isEqualTo("connection_ack");
            socket.sendText(PackagedServer.JSON.writeValueAsString(Map.of("id", "1", "type", "subscribe", "payload",
                    Map.of("query", "subscription($r: [ID!]!) { metricPoints(runIds: $r) { runId } }",
                            "variables", Map.of("r", runs)))), true).join();
            return subscriber;
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonNode message = PackagedServer.JSON.readTree(partial.toString());
                partial.setLength(0);
                String type = message.get("type").asString();
                if (type.equals("next") || type.equals("connection_ack")) {
                    messages.add(message);
                } else if (!type.equals("ping")) {
                    ending.add(type);
                }
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            ending.add("close " + statusCode);
            ended.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            ending.add("error " + error);
            ended.complete(null);
        }

        /** Answers what ended the subscription: messages other than next and ping, then the close code or error. */
        List<String> awaitEnd() throws Exception {
            ended.get(30, TimeUnit.SECONDS);
            return ending;
        }
    }
}
