package dev.trackstack.web;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import dev.trackstack.system.ErrorCode;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a POST or PATCH body (TrainTrack's API updates with PATCH) over {@code trackstack.limits.request-bytes} with 413 before anything parses it: by its
 * Content-Length when it has one, else (chunked) by reading at most one byte more than the limit. The rest of a
 * refused body is read and dropped, up to {@link #DRAINED_BYTES}: a client that sends its whole body before it reads
 * (Python's http.client) then gets the 413, where a connection closed under it would look like a network failure
 * to retry. A larger body is refused at once (Tomcat swallows 2 MiB of it, then closes).
 */
class RequestBodyLimit extends OncePerRequestFilter {

    private static final Set<String> BODY_METHODS = Set.of("POST", "PATCH");
    static final long DRAINED_BYTES = 64L << 20;

    private final int limit;

    RequestBodyLimit(int limit) {
        this.limit = limit;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!BODY_METHODS.contains(request.getMethod())) {
            chain.doFilter(request, response);
            return;
        }
        long length = request.getContentLengthLong();
        if (length > limit) {
            if (length - limit <= DRAINED_BYTES) {
                drain(request);
            }
            refuse(response, length + " bytes");
        } else if (length >= 0) {
            chain.doFilter(request, response);
        } else {
            byte[] body = request.getInputStream().readNBytes(limit + 1);
            if (body.length > limit) {
                drain(request);
                refuse(response, "more than " + limit + " bytes");
            } else {
                chain.doFilter(new BufferedBody(request, body), response);
            }
        }
    }

    private static void drain(HttpServletRequest request) throws IOException {
        InputStream in = request.getInputStream();
        byte[] buffer = new byte[64 << 10];
        long left = DRAINED_BYTES;
        for (int read; left > 0 && (read = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0; ) {
            left -= read;
        }
    }

    private void refuse(HttpServletResponse response, String size) throws IOException {
        JsonErrorResponse.write(response, HttpStatus.CONTENT_TOO_LARGE, ErrorCode.LIMIT_EXCEEDED,
                "A request body of " + size + " exceeds the limit of " + limit + " bytes");
    }

    /** A chunked body, already read. */
    private static final class BufferedBody extends HttpServletRequestWrapper {

        private final byte[] body;

        BufferedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("The body was read already");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }
    }
}
