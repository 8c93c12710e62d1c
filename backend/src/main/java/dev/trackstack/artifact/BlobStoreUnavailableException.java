package dev.trackstack.artifact;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;

/** The blob store cannot be reached (an S3 endpoint down or refusing): UNAVAILABLE, the client retries. */
public class BlobStoreUnavailableException extends ApiException {

    public BlobStoreUnavailableException(String message, Throwable cause) {
        super(ErrorCode.UNAVAILABLE, message);
        initCause(cause);
    }
}
