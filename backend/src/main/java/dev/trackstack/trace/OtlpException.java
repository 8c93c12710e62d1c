package dev.trackstack.trace;

import com.google.rpc.Code;
import org.springframework.http.HttpStatus;

/** Refuses a whole OTLP request: nothing of it is stored, and the exporter is told why (and whether to retry). */
class OtlpException extends RuntimeException {

    private final HttpStatus status;
    private final Code code;

    OtlpException(HttpStatus status, Code code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    HttpStatus status() {
        return status;
    }

    Code code() {
        return code;
    }

    static OtlpException badRequest(String message) {
        return new OtlpException(HttpStatus.BAD_REQUEST, Code.INVALID_ARGUMENT, message);
    }

    static OtlpException tooLarge(String message) {
        return new OtlpException(HttpStatus.CONTENT_TOO_LARGE, Code.RESOURCE_EXHAUSTED, message);
    }

    static OtlpException forbidden(String message) {
        return new OtlpException(HttpStatus.FORBIDDEN, Code.PERMISSION_DENIED, message);
    }
}
