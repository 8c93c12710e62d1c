package dev.trackstack.metric;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import dev.trackstack.system.TrackstackProperties;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import reactor.core.publisher.Mono;

/**
 * Bounds the memory that series reads hold. Every {@code series} field reserves the points it may return before any
 * field of the request reads (MetricController defers the reads to a DataLoader): per matching series its stored
 * points, at most maxPoints (and at least 1: an empty series still has a name). A request's fields together may
 * reserve {@code trackstack.limits.points-per-request}, beyond that the request answers LIMIT_EXCEEDED without
 * reading any point (120 aliases of a 10,000-point read ran the server out of memory). All requests together
 * hold at most {@code trackstack.limits.points-in-flight}: a read waits its turn, in order, for up to 30 s, then
 * answers UNAVAILABLE. A request gives its points back once its answer is written (HTTP, as a filter), or
 * handed to the WebSocket.
 */
@Component
class ReadBudget extends OncePerRequestFilter implements WebGraphQlInterceptor {

    private static final Logger log = LoggerFactory.getLogger(ReadBudget.class);
    private static final String KEY = Reservation.class.getName();
    /** As long as a call would wait for a database connection. */
    private static final long WAIT_SECONDS = 30;
    /**
     * The heap a point of an answer takes at most, from its read to its answer's end: its SeriesPoint, the boxed
     * columns and their text (about 600 bytes with all six columns; a point object in the answer costs more).
     */
    private static final long BYTES_PER_POINT = 1024;

    private final Semaphore pool;
    private final int perRequest;
    private final String perRequestSetting;

    ReadBudget(TrackstackProperties properties) {
        int configured = properties.limits().pointsInFlight();
        // Half of the heap by default: the rest is for ingest, subscribers and everything else.
        int inFlight = configured > 0 ? configured
                : (int) Math.min(Integer.MAX_VALUE, Runtime.getRuntime().maxMemory() / 2 / BYTES_PER_POINT);
        this.pool = new Semaphore(inFlight, true);
        // A request asking more than the whole pool could never run.
        this.perRequest = Math.min(properties.limits().pointsPerRequest(), inFlight);
        this.perRequestSetting = perRequest < properties.limits().pointsPerRequest()
                ? "trackstack.limits.points-in-flight" : "trackstack.limits.points-per-request";
        log.info("Series reads hold at most {} points at once, {} per request", inFlight, perRequest);
    }

    /** The reservation of the request that the GraphQL context belongs to. */
    static Reservation of(graphql.GraphQLContext context) {
        return context.get(KEY);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Reservation reservation = new Reservation();
        request.setAttribute(KEY, reservation);
        try {
            chain.doFilter(request, response);
        } finally {
            // Spring for GraphQL answers asynchronously: the answer is written after this dispatch returns.
            if (request.isAsyncStarted()) {
                request.getAsyncContext().addListener(new ReleaseOnEnd(reservation));
            } else {
                reservation.release();
            }
        }
    }

    @Override
    public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
        Reservation overHttp = (Reservation) request.getAttributes().get(KEY);
        Reservation reservation = overHttp != null ? overHttp : new Reservation();
        request.configureExecutionInput((input, builder) -> builder.graphQLContext(Map.of(KEY, reservation)).build());
        Mono<WebGraphQlResponse> response = chain.next(request);
        return overHttp != null ? response : response.doFinally(signal -> reservation.release());
    }

    /** The points one request holds. */
    final class Reservation {

        private int held;
        private boolean released;

        private ApiException refusal;

        /**
         * Reserves the points a series field may return, before it reads any. A refusal is kept: it nulls the whole
         * answer (series is non-null), so no field of the request reads then.
         */
        void reserve(long points) {
            try {
                hold(points);
            } catch (ApiException e) {
                synchronized (this) {
                    if (refusal == null) {
                        refusal = e;
                    }
                }
                throw e;
            }
        }

        /** Throws the refusal of any series field of the request, if one was refused. */
        synchronized void requireGranted() {
            if (refusal != null) {
                throw refusal;
            }
        }

        private void hold(long points) {
            synchronized (this) {
                if (held + points > perRequest) {
                    throw new ApiException(ErrorCode.LIMIT_EXCEEDED, "A request for " + (held + points)
                            + " points (each series up to maxPoints, all series fields together) exceeds the limit of "
                            + perRequest + " (" + perRequestSetting + ")");
                }
            }
            if (!acquire((int) points)) {
                throw new ApiException(ErrorCode.UNAVAILABLE, "The server is busy answering other reads. Retry later.");
            }
            synchronized (this) {
                if (released) {  // the request ended (timed out) while this field waited
                    pool.release((int) points);
                    throw new ApiException(ErrorCode.UNAVAILABLE, "The request ended while it waited. Retry later.");
                }
                held += (int) points;
            }
        }

        synchronized void release() {
            released = true;
            pool.release(held);
            held = 0;
        }

        private boolean acquire(int points) {
            try {
                return pool.tryAcquire(points, WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private record ReleaseOnEnd(Reservation reservation) implements AsyncListener {

        @Override
        public void onComplete(AsyncEvent event) {
            reservation.release();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            reservation.release();
        }

        @Override
        public void onError(AsyncEvent event) {
            reservation.release();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this);
        }
    }
}
