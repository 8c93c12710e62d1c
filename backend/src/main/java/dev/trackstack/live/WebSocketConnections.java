package dev.trackstack.live;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.trackstack.auth.WebSocketAuthentication;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.graphql.server.WebSocketGraphQlInterceptor;
import org.springframework.graphql.server.WebSocketSessionInfo;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * What every WebSocket goes through (Spring for GraphQL allows one such interceptor): connection_init must
 * authenticate ({@link WebSocketAuthentication}), and connections beyond
 * {@code trackstack.limits.websocket-connections} are refused.
 */
@Component
class WebSocketConnections implements WebSocketGraphQlInterceptor {

    private static final String COUNTED = WebSocketConnections.class.getName();

    private final WebSocketAuthentication authentication;
    private final AtomicInteger open = new AtomicInteger();
    private final int limit;

    WebSocketConnections(WebSocketAuthentication authentication, TrackstackProperties properties) {
        this.authentication = authentication;
        this.limit = properties.limits().websocketConnections();
    }

    @Override
    public Mono<Object> handleConnectionInitialization(WebSocketSessionInfo info, Map<String, Object> payload) {
        return authentication.connect(info, payload).then(Mono.defer(() -> {
            if (open.incrementAndGet() > limit) {
                open.decrementAndGet();
                return Mono.error(ApiException.limit("Open WebSocket connections", limit));
            }
            info.getAttributes().put(COUNTED, true);
            return Mono.empty();
        }));
    }

    @Override
    public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
        return authentication.intercept(request, chain);
    }

    @Override
    public void handleConnectionClosed(WebSocketSessionInfo info, int statusCode, Map<String, Object> payload) {
        if (info.getAttributes().remove(COUNTED) != null) {
            open.decrementAndGet();
        }
    }
}
