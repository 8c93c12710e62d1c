package dev.trackstack.importer;

/** A source that cannot be read: the message says what is wrong with it in one sentence, for the user. */
public class ImportException extends RuntimeException {

    public ImportException(String message) {
        super(message);
    }

    public ImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
