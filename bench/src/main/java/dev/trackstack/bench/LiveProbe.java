package dev.trackstack.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.websocket.ContainerProvider;
import jakarta.websocket.WebSocketContainer;
import org.springframework.graphql.client.WebSocketGraphQlClient;
import org.springframework.web.reactive.socket.client.StandardWebSocketClient;
import reactor.core.Disposable;

/**
 * Subscribers on metricPoints that time each batch's arrival against the moment its logMetrics call
 * returned to the writer (W2-live: log → visible). A batch is read from the decoded response as is:
 * {@code toEntity} would encode and decode each 30 KB batch once more, and these 20 clients share the
 * machine with the servers they measure.
 */
final class LiveProbe implements AutoCloseable {

    /** Tomcat's client takes 8 KB messages by default; a batch of 1000 points is about 30 KB. */
    private static final WebSocketContainer CONTAINER = ContainerProvider.getWebSocketContainer();

    static {
        CONTAINER.setDefaultMaxTextMessageBufferSize(4 * 1024 * 1024);
    }

    private final Map<String, Long> returnedAt = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Arrival> arrivals = new ConcurrentLinkedQueue<>();
    private final List<WebSocketGraphQlClient> clients = new ArrayList<>();
    private final List<Disposable> subscriptions = new ArrayList<>();
    private final Map<Integer, AtomicInteger> received = new ConcurrentHashMap<>();
    /** Batches that said earlier ones were dropped for their subscriber (it fell behind its buffer). */
    private final AtomicInteger gaps = new AtomicInteger();

    LiveProbe(String baseUrl, List<String> runIds, int subscribers) {
        URI uri = URI.create(baseUrl.replace("http", "ws") + "/graphql");
        for (int i = 0; i < subscribers; i++) {
            int subscriber = i;
            received.put(subscriber, new AtomicInteger());
            WebSocketGraphQlClient client = WebSocketGraphQlClient.builder(uri, new StandardWebSocketClient(CONTAINER))
                    .build();
            clients.add(client);
            subscriptions.add(client.document("subscription($r: [ID!]!) { metricPoints(runIds: $r) "
                    + "{ runId gap series { name split steps times values } } }").variable("r", runIds)
                    .executeSubscription()
                    .subscribe(response -> {
                        long now = System.nanoTime();
                        if (!response.getErrors().isEmpty()) {
                            throw new IllegalStateException("subscription failed: " + response.getErrors());
                        }
                        Map<?, ?> batch = (Map<?, ?>) response.<Map<?, ?>>getData().get("metricPoints");
                        List<?> series = (List<?>) batch.get("series");
                        Object firstStep = ((List<?>) ((Map<?, ?>) series.get(0)).get("steps")).get(0);
                        arrivals.add(new Arrival(batch.get("runId") + ":" + firstStep, now));
                        received.get(subscriber).incrementAndGet();
                        if (Boolean.TRUE.equals(batch.get("gap"))) {
                            gaps.incrementAndGet();
                        }
                    }));
        }
    }

    /** Waits until every subscriber has received at least one batch, so that all are listening. */
    void awaitAllListening(Runnable logOneBatch, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.values().stream().anyMatch(c -> c.get() == 0)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("subscribers did not start listening in " + timeout);
            }
            logOneBatch.run();
            Thread.sleep(200);
        }
        arrivals.clear();
        gaps.set(0);
    }

    void returned(String runId, long firstStep, long nanoTime) {
        returnedAt.put(runId + ":" + firstStep, nanoTime);
    }

    /**
     * Waits until no batch has arrived for a second (at most the timeout): batches logged at the end of the
     * measured window are still on their way, and the latest are the ones that waited longest.
     */
    void awaitDelivered(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = -1;
        while (arrivals.size() != seen && System.nanoTime() < deadline) {
            seen = arrivals.size();
            Thread.sleep(1000);
        }
    }

    /**
     * Latency per (subscriber, batch) of the batches logged in the measured window. An arrival can precede the writer's return (events leave at commit,
     * before the HTTP response is written); that counts as zero.
     */
    long[] latencies() {
        return arrivals.stream().filter(a -> returnedAt.containsKey(a.key()))
                .mapToLong(a -> Math.max(0, a.nanoTime() - returnedAt.get(a.key()))).toArray();
    }

    int gaps() {
        return gaps.get();
    }

    @Override
    public void close() {
        subscriptions.forEach(Disposable::dispose);
        clients.forEach(c -> c.stop().block(Duration.ofSeconds(5)));
    }

    private record Arrival(String key, long nanoTime) {
    }
}
