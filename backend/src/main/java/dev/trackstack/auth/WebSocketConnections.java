package dev.trackstack.auth;

import java.util.Map;

import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.graphql.server.WebSocketGraphQlInterceptor;
import org.springframework.graphql.server.WebSocketSessionInfo;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * What every WebSocket goes through (Spring for GraphQL allows one such interceptor): connection_init must
 * authenticate ({@link WebSocketAuthentication}). GraphQlWebSockets (in web) counts the connections.
 */
@Component
class WebSocketConnections implements WebSocketGraphQlInterceptor {

    private final WebSocketAuthentication authentication;

    WebSocketConnections(WebSocketAuthentication authentication) {
        this.authentication = authentication;
    }

    @Override
    public Mono<Object> handleConnectionInitialization(WebSocketSessionInfo info, Map<String, Object> payload) {
        return authentication.connect(info, payload);
    }

    @Override
    public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
        return authentication.intercept(request, chain);
    }
}
