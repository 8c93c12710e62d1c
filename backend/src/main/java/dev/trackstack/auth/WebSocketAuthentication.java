package dev.trackstack.auth;

import java.util.Map;

import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.graphql.server.WebSocketSessionInfo;
import org.springframework.graphql.server.webmvc.AuthenticationWebSocketInterceptor;
import org.springframework.security.authentication.AuthenticationManager;
import reactor.core.publisher.Mono;

/**
 * Authenticates a WebSocket from its connection_init payload, {@code {"Authorization": "Bearer <token>"}}
 * (browsers cannot set headers on a WebSocket), and runs its subscriptions as that caller. A connection
 * without a valid token is closed with 4401 Unauthorized. Spring for GraphQL allows one WebSocket interceptor:
 * the live package's WebSocketConnections calls this one.
 */
public final class WebSocketAuthentication {

    private final AuthenticationWebSocketInterceptor interceptor;

    WebSocketAuthentication(boolean tokensRequired, AuthenticationManager tokens) {
        this.interceptor = tokensRequired
                ? new AuthenticationWebSocketInterceptor(
                        payload -> Mono.fromCallable(() -> TokenAuthentication.presented(authorization(payload))),
                        tokens)
                : new AuthenticationWebSocketInterceptor(
                        payload -> Mono.just(TokenAuthentication.of(Caller.ANYBODY)), authentication -> authentication);
    }

    public Mono<Object> connect(WebSocketSessionInfo info, Map<String, Object> payload) {
        return interceptor.handleConnectionInitialization(info, payload);
    }

    public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, WebGraphQlInterceptor.Chain chain) {
        return interceptor.intercept(request, chain);
    }

    private static String authorization(Map<String, Object> payload) {
        return payload.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("Authorization"))
                .map(e -> String.valueOf(e.getValue())).findFirst().orElse(null);
    }
}
