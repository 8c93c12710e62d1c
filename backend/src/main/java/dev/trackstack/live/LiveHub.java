package dev.trackstack.live;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import dev.trackstack.system.TrackstackProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Fans committed events out to this instance's subscribers. Each subscriber has a bounded buffer; when it
 * is full the event is dropped for that subscriber alone (a points subscriber learns of it through
 * {@code gap} on the run's next batch), so a slow or stalled client never slows ingest or anyone else. Summary
 * changes and console lines are coalesced to one event per run per second, stored traces to one event per project
 * per second.
 */
@Component
@EnableScheduling
public class LiveHub implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(LiveHub.class);
    private static final Duration COALESCE_INTERVAL = Duration.ofSeconds(1);
    private static final int TRACES_PER_SECOND = 50;

    private final Set<Subscriber<MetricPointBatch, MetricPointBatch>> pointSubscribers = ConcurrentHashMap.newKeySet();
    private final Set<Subscriber<RunEvent, RunEvent>> runSubscribers = ConcurrentHashMap.newKeySet();
    /** Events that say only that something changed, sent at most once per interval: summaries, console lines. */
    private final Set<RunEvent> coalesced = ConcurrentHashMap.newKeySet();
    private final Set<Subscriber<TracesStored, TracesStored>> traceSubscribers = ConcurrentHashMap.newKeySet();
    private final Set<Subscriber<MediaStored, MediaStored>> mediaSubscribers = ConcurrentHashMap.newKeySet();
    /** Traces stored since the last flush, per project: each trace's id and the runs its spans name. */
    private final Map<String, Map<String, Set<Long>>> tracesStored = new HashMap<>();
    private final int bufferSize;
    private final Counter dropped;

    LiveHub(TrackstackProperties properties, MeterRegistry registry) {
        this.bufferSize = properties.limits().subscriberBuffer();
        // One gauge per stream, and drops counted for all subscribers together: no meter per subscriber or run.
        subscribers("metricPoints", pointSubscribers, registry);
        subscribers("runEvents", runSubscribers, registry);
        subscribers("traceUpdates", traceSubscribers, registry);
        subscribers("mediaItems", mediaSubscribers, registry);
        this.dropped = dropped("buffer_full", registry);
    }

    private static void subscribers(String stream, Set<?> subscribers, MeterRegistry registry) {
        Gauge.builder("trackstack.live.subscribers", subscribers, Set::size).baseUnit("subscribers")
                .tag("stream", stream).description("Open live subscriptions on this instance").register(registry);
    }

    /**
     * Events a subscriber missed: its buffer was full ({@code buffer_full}, counted per subscriber), or points of
     * another instance came too late to read back ({@code late}, see ClusterListener). Either way a gap follows.
     */
    static Counter dropped(String reason, MeterRegistry registry) {
        return Counter.builder("trackstack.live.dropped").baseUnit("events").tag("reason", reason)
                .description("Live events dropped (a subscriber then gets gap, or refetches)").register(registry);
    }

    Flux<MetricPointBatch> metricPoints(Set<Long> runIds, Set<String> names) {
        return subscribe(pointSubscribers, MetricPointBatch::runId, (batch, gap) ->
                runIds.contains(batch.runId()) ? batch.select(names, gap) : null);
    }

    Flux<RunEvent> runEvents(String project) {
        return subscribe(runSubscribers, event -> RunEvent.class, (event, gap) ->
                project == null || project.equals(event.project()) ? event : null);
    }

    /**
     * Traces of these projects (all when null), or of this run, stored since the last second: at most
     * TRACES_PER_SECOND per subscriber, as many as a page of the dashboard's trace list shows.
     */
    public Flux<TracesStored> tracesStored(Set<String> projects, Long runId) {
        return subscribe(traceSubscribers, event -> TracesStored.class, (event, gap) -> {
            if (projects != null && !projects.contains(event.project())) {
                return null;
            }
            Map<String, Set<Long>> traces = new LinkedHashMap<>();
            event.traces().forEach((id, runs) -> {
                if ((runId == null || runs.contains(runId)) && traces.size() < TRACES_PER_SECOND) {
                    traces.put(id, runs);
                }
            });
            return traces.isEmpty() ? null : new TracesStored(event.project(), traces);
        });
    }

    /** The media items of these runs stored from now on, of these names (all when null). */
    public Flux<MediaStored> mediaStored(Set<Long> runIds, Set<String> names) {
        return subscribe(mediaSubscribers, MediaStored::runId, (event, gap) -> {
            if (!runIds.contains(event.runId())) {
                return null;
            }
            List<MediaStored.Item> items = event.items().stream()
                    .filter(item -> names == null || names.contains(item.name())).toList();
            return items.isEmpty() ? null : new MediaStored(event.runId(), event.project(), items);
        });
    }

    @TransactionalEventListener(fallbackExecution = true)
    void dispatch(MediaStored event) {
        mediaSubscribers.forEach(s -> s.offer(event));
    }

    @TransactionalEventListener(fallbackExecution = true)
    void dispatch(TracesStored event) {
        if (traceSubscribers.isEmpty()) {
            return;
        }
        synchronized (tracesStored) {
            Map<String, Set<Long>> traces = tracesStored.computeIfAbsent(event.project(),
                    project -> new LinkedHashMap<>());
            event.traces().forEach((id, runs) -> traces.computeIfAbsent(id, trace -> new HashSet<>()).addAll(runs));
        }
    }

    @TransactionalEventListener(fallbackExecution = true)
    void dispatch(PointsLogged event) {
        coalesced.add(new RunEvent(RunEvent.Type.SUMMARY_CHANGED, event.runId(), event.project()));
        if (!pointSubscribers.isEmpty()) {
            MetricPointBatch batch = MetricPointBatch.of(event);
            pointSubscribers.forEach(s -> s.offer(batch));
        }
    }

    @TransactionalEventListener(fallbackExecution = true)
    void dispatch(RunEvent event) {
        if (event.type() == RunEvent.Type.SUMMARY_CHANGED || event.type() == RunEvent.Type.CONSOLE_APPENDED) {
            coalesced.add(event);
        } else {
            runSubscribers.forEach(s -> s.offer(event));
        }
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(this::flushCoalesced, COALESCE_INTERVAL);
    }

    void flushCoalesced() {
        for (RunEvent event : Set.copyOf(coalesced)) {
            coalesced.remove(event);
            runSubscribers.forEach(s -> s.offer(event));
        }
        List<TracesStored> traces = new ArrayList<>();
        synchronized (tracesStored) {
            tracesStored.forEach((project, stored) -> traces.add(new TracesStored(project, stored)));
            tracesStored.clear();
        }
        traces.forEach(event -> traceSubscribers.forEach(s -> s.offer(event)));
    }

    public int subscriberCount() {
        return pointSubscribers.size() + runSubscribers.size() + traceSubscribers.size() + mediaSubscribers.size();
    }

    /**
     * Registers on subscription, not before: a stream that is never subscribed to must not stay registered.
     * What follows the sink (GraphQL renders each event for its subscriber, then it is encoded) runs on a worker
     * rather than on the dispatching thread: an ingest call, or the cluster listener, would otherwise render every
     * event once per subscriber before going on. The worker drains the sink's own bounded buffer (publishOn fuses
     * with it), which so stays all that a subscriber's backlog holds.
     */
    private <E, O> Flux<O> subscribe(Set<Subscriber<E, O>> subscribers, Function<E, Object> gapKey,
            Selector<E, O> selector) {
        return Flux.defer(() -> {
            Subscriber<E, O> subscriber = new Subscriber<>(gapKey, selector, bufferSize, dropped);
            subscribers.add(subscriber);
            return subscriber.sink.asFlux().publishOn(Schedulers.boundedElastic())
                    .doFinally(signal -> subscribers.remove(subscriber));
        });
    }

    /** Answers what the subscriber receives for an event, or null for nothing. */
    interface Selector<E, O> {
        O select(E event, boolean gap);
    }

    private static final class Subscriber<E, O> {

        final Sinks.Many<O> sink;
        private final Function<E, Object> gapKey;
        private final Selector<E, O> selector;
        private final Counter dropped;
        /**
         * The keys (runs, for points) of events dropped for this subscriber: the next event of the same key says so,
         * since a client refetches what that event is about.
         */
        private final Set<Object> gaps = new HashSet<>();

        Subscriber(Function<E, Object> gapKey, Selector<E, O> selector, int bufferSize, Counter dropped) {
            this.gapKey = gapKey;
            this.selector = selector;
            this.dropped = dropped;
            this.sink = Sinks.many().unicast().onBackpressureBuffer(new ArrayBlockingQueue<>(bufferSize));
        }

        /**
         * Synchronized: a sink takes one emitter at a time, and events come from every ingest thread. Whatever
         * goes wrong with one subscriber (its session closing as we emit, say) stays with it.
         */
        synchronized void offer(E event) {
            Object key = gapKey.apply(event);
            O out = selector.select(event, gaps.contains(key));
            if (out == null) {
                return;
            }
            boolean dropped;
            try {
                dropped = sink.tryEmitNext(out).isFailure();
            } catch (RuntimeException e) {
                dropped = true;
                log.debug("Could not deliver an event to a subscriber: {}", e.toString());
            }
            if (dropped) {
                this.dropped.increment();
                gaps.add(key);
            } else {
                gaps.remove(key);
            }
        }
    }
}
