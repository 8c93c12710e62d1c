package dev.trackstack.importer;

/**
 * Where runs are read from: a path on the server's machine, or a URL the server can reach (an MLflow server, a
 * PostgreSQL database, a W&B server); {@code apiKey} is the credential a server source needs, else null.
 */
public record ImportSource(String location, String apiKey) {

    public boolean isUrl() {
        return location.matches("(?i)[a-z][a-z0-9+.-]*://.*");
    }
}
