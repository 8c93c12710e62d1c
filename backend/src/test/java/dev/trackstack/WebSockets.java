package dev.trackstack;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A raw graphql-transport-ws socket (the JDK's client), to send what no GraphQL client would. */
public final class WebSockets {

    private final WebSocket socket;
    /** The close code the server sent. */
    public final CompletableFuture<Integer> closed = new CompletableFuture<>();
    /** The first text message the server sent. */
    public final CompletableFuture<String> received = new CompletableFuture<>();

    private WebSockets(int port) {
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("graphql-transport-ws")
                .buildAsync(URI.create("ws://localhost:" + port + "/graphql"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        received.complete(data.toString());
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        closed.complete(statusCode);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket webSocket, Throwable error) {
                        closed.completeExceptionally(error);
                    }
                }).join();
    }

    public static WebSockets open(int port) {
        return new WebSockets(port);
    }

    public WebSockets send(String text) {
        socket.sendText(text, true).join();
        return this;
    }

    public void abort() {
        socket.abort();
    }
}
