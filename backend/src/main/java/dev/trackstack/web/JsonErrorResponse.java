package dev.trackstack.web;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/** A GraphQL-shaped error for requests refused before GraphQL sees them, so that clients read every error alike. */
public final class JsonErrorResponse {

    private JsonErrorResponse() {
    }

    public static void write(HttpServletResponse response, HttpStatus status, ErrorCode code, String message)
            throws IOException {
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        JsonMapper.shared().writeValue(response.getOutputStream(), Map.of("errors",
                List.of(Map.of("message", message, "extensions", Map.of("code", code.name())))));
    }

    /** The error of an ApiException, with the HTTP status of its code. */
    public static void write(HttpServletResponse response, ApiException e) throws IOException {
        write(response, status(e.code()), e.code(), e.getMessage());
    }

    static HttpStatus status(ErrorCode code) {
        return switch (code) {
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case LIMIT_EXCEEDED -> HttpStatus.CONTENT_TOO_LARGE;
            case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
            case FORBIDDEN -> HttpStatus.FORBIDDEN;
            case CONFLICT -> HttpStatus.CONFLICT;
            case CHECKSUM_MISMATCH -> HttpStatus.UNPROCESSABLE_CONTENT;
            case STORAGE_FULL -> HttpStatus.INSUFFICIENT_STORAGE;
            case UNAVAILABLE, INTERNAL -> HttpStatus.SERVICE_UNAVAILABLE;
            default -> HttpStatus.BAD_REQUEST;
        };
    }
}
