package dev.trackstack.auth;

import java.util.List;
import java.util.Map;

import dev.trackstack.system.ErrorCode;
import graphql.ExecutionResult;
import graphql.GraphQLError;
import org.reactivestreams.Publisher;
import org.springframework.graphql.execution.SubscriptionPublisherException;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.graphql.server.WebSocketGraphQlRequest;
import org.springframework.graphql.server.WebSocketSessionInfo;
import org.springframework.graphql.support.DefaultExecutionGraphQlResponse;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Authenticates a WebSocket from its connection_init payload, {@code {"Authorization": "Bearer <token>"}}
 * (browsers cannot set headers on a WebSocket), and runs its operations as that caller. A connection without a
 * valid token is closed with 4401 Unauthorized. A socket outlives its token: once the token is revoked, each
 * further operation on the socket answers UNAUTHENTICATED and its open subscriptions end with that error
 * ({@link TokenRevocations} says how soon). Spring for GraphQL allows one WebSocket interceptor: the live package's
 * WebSocketConnections calls this one.
 */
public final class WebSocketAuthentication {

    private static final String CONTEXT = WebSocketAuthentication.class.getName() + ".context";
    /** The key under which Spring Security's SecurityContextHolder accessor finds the caller in data fetchers. */
    private static final String SECURITY_CONTEXT_KEY = SecurityContext.class.getName();

    private final boolean tokensRequired;
    private final AuthenticationManager tokens;
    private final TokenRevocations revocations;

    WebSocketAuthentication(boolean tokensRequired, AuthenticationManager tokens, TokenRevocations revocations) {
        this.tokensRequired = tokensRequired;
        this.tokens = tokens;
        this.revocations = revocations;
    }

    /** Fails (and the socket closes with 4401) without a valid token where tokens are required. */
    public Mono<Object> connect(WebSocketSessionInfo info, Map<String, Object> payload) {
        return Mono.fromCallable(() -> tokensRequired
                        ? tokens.authenticate(TokenAuthentication.presented(authorization(payload)))
                        : TokenAuthentication.of(Caller.ANYBODY))
                .doOnNext(authentication -> info.getAttributes().put(CONTEXT, new SecurityContextImpl(authentication)))
                .then(Mono.empty());
    }

    public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, WebGraphQlInterceptor.Chain chain) {
        if (!(request instanceof WebSocketGraphQlRequest socket)
                || !(socket.getSessionInfo().getAttributes().get(CONTEXT) instanceof SecurityContext context)) {
            return chain.next(request);
        }
        Caller caller = (Caller) context.getAuthentication().getPrincipal();
        if (revocations.isRevoked(caller)) {
            return Mono.just(new WebGraphQlResponse(new DefaultExecutionGraphQlResponse(request.toExecutionInput(),
                    ExecutionResult.newExecutionResult().addError(revoked()).build())));
        }
        return chain.next(request).map(response -> endOnRevocation(response, caller))
                .contextWrite(Context.of(SECURITY_CONTEXT_KEY, context));
    }

    /** A subscription's events stop when the token is revoked, and an error message ends it. */
    @SuppressWarnings("unchecked")
    private WebGraphQlResponse endOnRevocation(WebGraphQlResponse response, Caller caller) {
        if (!(response.getData() instanceof Publisher<?> events)) {
            return response;
        }
        Flux<Object> ended = Flux.from((Publisher<Object>) events).takeUntilOther(revocations.revocation(caller))
                .concatWith(Mono.defer(() -> revocations.isRevoked(caller)
                        ? Mono.error(new SubscriptionPublisherException(List.of(revoked()), null)) : Mono.empty()));
        return response.transform(builder -> builder.data(ended));
    }

    private static GraphQLError revoked() {
        return GraphQLError.newError().message("This API token was revoked").errorType(ErrorCode.UNAUTHENTICATED)
                .extensions(Map.of("code", ErrorCode.UNAUTHENTICATED.name())).build();
    }

    private static String authorization(Map<String, Object> payload) {
        return payload.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("Authorization"))
                .map(e -> String.valueOf(e.getValue())).findFirst().orElse(null);
    }
}
