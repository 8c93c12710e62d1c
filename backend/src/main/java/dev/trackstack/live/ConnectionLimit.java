package dev.trackstack.live;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.graphql.server.WebSocketGraphQlInterceptor;
import org.springframework.graphql.server.WebSocketSessionInfo;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Refuses a WebSocket connection beyond {@code trackstack.limits.websocket-connections}. */
@Component
class ConnectionLimit implements WebSocketGraphQlInterceptor {

    private static final String COUNTED = ConnectionLimit.class.getName();

    private final AtomicInteger open = new AtomicInteger();
    private final int limit;

    ConnectionLimit(TrackstackProperties properties) {
        this.limit = properties.limits().websocketConnections();
    }

    @Override
    public Mono<Object> handleConnectionInitialization(WebSocketSessionInfo info, Map<String, Object> payload) {
        if (open.incrementAndGet() > limit) {
            open.decrementAndGet();
            return Mono.error(ApiException.limit("Open WebSocket connections", limit));
        }
        info.getAttributes().put(COUNTED, true);
        return Mono.empty();
    }

    @Override
    public void handleConnectionClosed(WebSocketSessionInfo info, int statusCode, Map<String, Object> payload) {
        if (info.getAttributes().remove(COUNTED) != null) {
            open.decrementAndGet();
        }
    }
}
