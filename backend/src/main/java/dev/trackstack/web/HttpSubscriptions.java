package dev.trackstack.web;

import java.util.List;
import java.util.Map;

import dev.trackstack.system.ErrorCode;
import graphql.GraphQLError;
import org.reactivestreams.Publisher;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.graphql.server.WebSocketGraphQlRequest;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * A subscription sent as a plain JSON POST gets an error: its answer is a stream, which JSON cannot carry (it would
 * show the stream object's internals). The WebSocket, and Spring's Server-Sent Events handler, carry streams.
 */
@Component
class HttpSubscriptions implements WebGraphQlInterceptor {

    @Override
    public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
        return chain.next(request).map(response ->
                response.getExecutionResult().getData() instanceof Publisher<?> && answeredAsJson(request)
                        ? response.transform(builder -> builder.data(null).errors(List.of(refusal())))
                        : response);
    }

    /** Mirrors the routing: a POST that accepts JSON goes to the JSON handler, others to the SSE handler. */
    private static boolean answeredAsJson(WebGraphQlRequest request) {
        if (request instanceof WebSocketGraphQlRequest) {
            return false;
        }
        List<MediaType> accept = request.getHeaders().getAccept();
        return accept.isEmpty() || accept.stream().anyMatch(type -> type.isCompatibleWith(MediaType.APPLICATION_JSON)
                || type.isCompatibleWith(MediaType.APPLICATION_GRAPHQL_RESPONSE));
    }

    private static GraphQLError refusal() {
        return GraphQLError.newError().errorType(ErrorCode.BAD_USER_INPUT)
                .message("Subscriptions are served over WebSocket (graphql-transport-ws) on this path, not as a "
                        + "JSON response")
                .extensions(Map.of("code", ErrorCode.BAD_USER_INPUT.name())).build();
    }
}
