package dev.trackstack.system;

import java.sql.SQLException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/**
 * A database Trackstack cannot reach or log in to at start-up: one sentence naming it with what the driver said,
 * instead of a stack trace through Flyway and the connection pool.
 */
class DatabaseFailureAnalyzer extends AbstractFailureAnalyzer<SQLException> {

    private final Environment environment;

    DatabaseFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, SQLException cause) {
        if (!connectionFailure(cause.getSQLState())) {
            return null;
        }
        // The query part may hold a password.
        String url = environment.getProperty("spring.datasource.url", "").replaceFirst("\\?.*", "");
        if (url.isEmpty()) {
            return new FailureAnalysis("Trackstack could not connect to its embedded PostgreSQL: " + cause.getMessage(),
                    "See PostgreSQL's messages above.", cause);
        }
        return new FailureAnalysis("Trackstack could not connect to the database " + url + ": " + cause.getMessage(),
                "Check spring.datasource.url, spring.datasource.username and spring.datasource.password (or "
                        + "SPRING_DATASOURCE_URL, SPRING_DATASOURCE_USERNAME, SPRING_DATASOURCE_PASSWORD) and that "
                        + "PostgreSQL accepts connections from this machine; or leave spring.datasource.url unset to "
                        + "use the embedded database.", cause);
    }

    /** SQLSTATE classes 08 (connection exception), 28 (invalid authorization) and 3D000 (no such database). */
    private static boolean connectionFailure(String state) {
        return state != null && (state.startsWith("08") || state.startsWith("28") || state.equals("3D000"));
    }
}
