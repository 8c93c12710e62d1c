package dev.trackstack.system;

/** A failure the client caused or must know about; its message is shown to the client as is. */
public class ApiException extends RuntimeException {

    private final ErrorCode code;

    public ApiException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static ApiException notFound(String what, Object id) {
        return new ApiException(ErrorCode.NOT_FOUND, "No " + what + " with id " + id);
    }

    public static ApiException badInput(String message) {
        return new ApiException(ErrorCode.BAD_USER_INPUT, message);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(ErrorCode.FORBIDDEN, message);
    }

    public static ApiException limit(String what, long limit) {
        return new ApiException(ErrorCode.LIMIT_EXCEEDED, what + " exceeds the limit of " + limit);
    }
}
