package dev.trackstack.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The embedded database of a data directory, for a command line that works on it beside the server (backup,
 * restore): the PostgreSQL of a server running on that directory, reached as the server reaches it (the port in
 * postmaster.pid, the password in its file), or else one started here for as long as the command runs.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private final String jdbcUrl;
    private final String password;
    private final SupervisedPostgres started;

    private EmbeddedDatabase(String jdbcUrl, String password, SupervisedPostgres started) {
        this.jdbcUrl = jdbcUrl;
        this.password = password;
        this.started = started;
    }

    /** Reaches the running PostgreSQL of this data directory, or starts one (making the directory when new). */
    public static EmbeddedDatabase open(Path dataDir) throws IOException {
        if (SupervisedPostgres.runningPostmaster(dataDir).isPresent()) {
            List<String> pidFile = Files.readAllLines(dataDir.resolve("postmaster.pid"));
            String password = Files.readString(dataDir.resolve(SupervisedPostgres.PASSWORD_FILE)).strip();
            return new EmbeddedDatabase("jdbc:postgresql://127.0.0.1:" + pidFile.get(3).trim() + "/postgres",
                    password, null);
        }
        SupervisedPostgres postgres = SupervisedPostgres.start(dataDir);
        return new EmbeddedDatabase(postgres.jdbcUrl(), postgres.password(), postgres);
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return SupervisedPostgres.USER;
    }

    public String password() {
        return password;
    }

    /** Whether this command started PostgreSQL itself (no server was running on the directory). */
    public boolean startedHere() {
        return started != null;
    }

    /** Stops the PostgreSQL started here; one of a running server stays. */
    @Override
    public void close() {
        if (started != null) {
            started.close();
        }
    }
}
