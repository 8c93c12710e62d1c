package dev.trackstack.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.trackstack.system.TrackstackProperties;
import org.springframework.aot.hint.annotation.RegisterReflectionForBinding;
import org.springframework.boot.graphql.autoconfigure.GraphQlProperties;
import org.springframework.graphql.server.WebGraphQlHandler;
import org.springframework.graphql.server.support.GraphQlWebSocketMessage;
import org.springframework.graphql.server.support.GraphQlWebSocketMessageType;
import org.springframework.graphql.server.webmvc.GraphQlWebSocketHandler;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Spring for GraphQL's graphql-transport-ws handler (in place of the one Boot would make, with the same settings),
 * with two changes. Every socket counts against {@code trackstack.limits.websocket-connections} from its handshake
 * on, whether or not it ever sends connection_init (the handler closes those after
 * {@code spring.graphql.websocket.connection-init-timeout}); one more is closed with 1013 (try again later). And
 * a message the protocol cannot read (not JSON, an unknown or missing type, a payload missing or not an object, a
 * subscribe without a query) closes the socket
 * with 4400 (invalid message), where the handler would fail with 1011 (internal error).
 */
@Component
// Repeats the handler's own annotation: Spring's AOT processing of the build fails on it when only inherited.
@RegisterReflectionForBinding(GraphQlWebSocketMessage.class)
class GraphQlWebSockets extends GraphQlWebSocketHandler {

    private static final CloseStatus INVALID_MESSAGE = new CloseStatus(4400, "Invalid message");

    private final JsonMapper json;
    private final AtomicInteger open = new AtomicInteger();
    private final int limit;

    GraphQlWebSockets(WebGraphQlHandler graphQlHandler, JsonMapper json, GraphQlProperties graphQl,
            TrackstackProperties properties) {
        super(graphQlHandler, new JacksonJsonHttpMessageConverter(json),
                graphQl.getWebsocket().getConnectionInitTimeout(), graphQl.getWebsocket().getKeepAlive());
        this.json = json;
        this.limit = properties.limits().websocketConnections();
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        if (open.incrementAndGet() > limit) {
            try {
                session.close(new CloseStatus(CloseStatus.SERVICE_OVERLOAD.getCode(), "More than " + limit
                        + " open WebSocket connections (trackstack.limits.websocket-connections)"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        super.afterConnectionEstablished(session);
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        open.decrementAndGet();
        super.afterConnectionClosed(session, status);
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) throws Exception {
        if (!readable(message)) {
            session.close(INVALID_MESSAGE);
            return;
        }
        super.handleTextMessage(session, message);
    }

    /** Whether the handler can read the message: read here as it reads it, the same class from the same JSON. */
    private boolean readable(TextMessage message) {
        try {
            GraphQlWebSocketMessage read = json.readValue(message.asBytes(), GraphQlWebSocketMessage.class);
            if (read == null) {
                return false;
            }
            Object payload = read.getPayload();  // checks that there is a type, and a payload where it needs one
            if (read.resolvedType() == GraphQlWebSocketMessageType.SUBSCRIBE) {
                return payload instanceof Map<?, ?> request && request.get("query") instanceof String;
            }
            return payload == null || payload instanceof Map;
        } catch (JacksonException | IllegalArgumentException | IllegalStateException e) {
            return false;
        }
    }
}
