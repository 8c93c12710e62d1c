package dev.trackstack.system;

/** The embedded PostgreSQL cannot start for a reason the user can fix; {@link #action} says how. */
public class EmbeddedDatabaseException extends RuntimeException {

    private final String action;

    EmbeddedDatabaseException(String message, String action) {
        super(message);
        this.action = action;
    }

    public String action() {
        return action;
    }
}
