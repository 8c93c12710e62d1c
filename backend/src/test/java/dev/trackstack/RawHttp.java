package dev.trackstack;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 exchange over a plain socket, for the headers that Java's HTTP client will not send (Host, Upgrade).
 *
 * @param status the response's status code
 * @param text   the whole response: status line, headers and body
 */
public record RawHttp(int status, String text) {

    /** Sends the request line and headers (each ending in CRLF) and the body, and reads the answer to the end. */
    public static RawHttp exchange(int port, String requestLineAndHeaders, String body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            byte[] content = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write((requestLineAndHeaders + "Connection: close\r\nContent-Length: " + content.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.write(content);
            out.flush();
            String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new RawHttp(Integer.parseInt(text.substring(9, 12)), text);
        }
    }

    /** A POST of a GraphQL query to /graphql with these extra header lines. */
    public static RawHttp postGraphQl(int port, String host, String headers, String query) throws IOException {
        return exchange(port, "POST /graphql HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                + headers, "{\"query\": \"" + query + "\"}");
    }
}
