package dev.trackstack.system;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL as a child process of the server: its data directory set up (initdb on the first
 * start; a password and access rules that let only the server in), started on a free loopback port as
 * {@link PostgresAccount}, and started again whenever it exits without being asked to (a crash, a kill, a
 * PANIC on a full disk), while the connection pool reconnects by itself.
 */
final class SupervisedPostgres implements AutoCloseable {

    /** The superuser's password, generated at the first start, readable by the data directory's owner only. */
    static final String PASSWORD_FILE = "trackstack-db-password";

    static final String USER = "postgres";
    /** Rewritten at every start, which also replaces the trust rules of data directories made by earlier versions. */
    private static final String ACCESS_RULES = """
            # Written by Trackstack at every start (edits are lost): only its server connects, over loopback TCP,
            # with the password in %s. The unix socket is off.
            host all all 127.0.0.1/32 scram-sha-256
            """.formatted(PASSWORD_FILE);
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(120);
    private static final Duration LONGEST_WAIT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(SupervisedPostgres.class);

    private final PostgresAccount account;
    private final Path bin;
    private final Path dataDir;
    private final int port;
    private final PGSimpleDataSource probe = new PGSimpleDataSource();
    private final Thread supervisor;
    private final AtomicInteger restarts = new AtomicInteger();
    private Process process;
    private boolean closing;
    private volatile boolean ready;
    private volatile Instant lastRestart;
    private volatile int lastExitCode;

    private SupervisedPostgres(PostgresAccount account, Path bin, Path dataDir, int port, String password) {
        this.account = account;
        this.bin = bin;
        this.dataDir = dataDir;
        this.port = port;
        probe.setUrl(jdbcUrl());
        probe.setUser(USER);
        probe.setPassword(password);
        // PostgreSQL stays in this thread's care: setpriv's parent-death signal stops it when the thread ends.
        supervisor = new Thread(this::supervise, "embedded-postgres");
        supervisor.setDaemon(true);
    }

    /** Sets up the data directory, starts PostgreSQL and answers once it accepts connections. */
    static SupervisedPostgres start(Path dataDir) throws IOException {
        PostgresAccount account = PostgresAccount.forThisProcess();
        Path bin = PostgresBinaries.extract().resolve("bin");
        Files.createDirectories(dataDir);
        account.own(dataDir);
        stopOrphanedPostmaster(dataDir);
        checkMajorVersion(bin, dataDir);
        if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
            requireEmpty(dataDir);
            log.info("Creating the embedded PostgreSQL's database in {}", dataDir);
            account.run(dataDir, "", bin.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", USER,
                    "-A", "reject", "-E", "UTF-8");
        }
        Files.writeString(dataDir.resolve("pg_hba.conf"), ACCESS_RULES);
        SupervisedPostgres postgres = new SupervisedPostgres(account, bin, dataDir, freePort(),
                password(account, bin, dataDir));
        try {
            postgres.supervisor.start();
            postgres.awaitReady();
        } catch (IOException | RuntimeException e) {
            postgres.close();
            throw e;
        }
        log.info("Embedded PostgreSQL on 127.0.0.1:{} as user {}, data in {}", postgres.port, account.name(), dataDir);
        return postgres;
    }

    /** initdb makes a database only in an empty directory (a new data directory, or one pointed at by mistake). */
    private static void requireEmpty(Path dataDir) throws IOException {
        List<String> found;
        try (Stream<Path> entries = Files.list(dataDir)) {
            found = entries.map(p -> p.getFileName().toString()).sorted().limit(3).toList();
        }
        if (!found.isEmpty()) {
            throw new EmbeddedDatabaseException("The data directory " + dataDir + " holds no embedded database but "
                    + "is not empty (" + String.join(", ", found) + "), and PostgreSQL makes its database only in an "
                    + "empty directory.", "Set trackstack.data-dir (TRACKSTACK_DATA_DIR) to a new or empty directory, "
                    + "or move what is in this one elsewhere.");
        }
    }

    /** The password in {@value #PASSWORD_FILE}; made and set at the first start (and after an upgrade). */
    private static String password(PostgresAccount account, Path bin, Path dataDir) throws IOException {
        Path file = dataDir.resolve(PASSWORD_FILE);
        if (Files.exists(file)) {
            return Files.readString(file).strip();
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        // In single-user mode, which needs no connection (and so no password yet), with nothing listening.
        account.run(dataDir, "alter role " + USER + " password '" + password + "'\n", bin.resolve("postgres")
                .toString(), "--single", "-D", dataDir.toString(), "-c", "exit_on_error=on", USER);
        Path written = dataDir.resolve(PASSWORD_FILE + ".new");
        Files.deleteIfExists(written);
        Files.writeString(Files.createFile(written, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------"))), password);
        account.give(false, written);
        Files.move(written, file, StandardCopyOption.ATOMIC_MOVE);
        log.info("Set a new password for the embedded PostgreSQL, kept in {} (owner only)", file);
        return password;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + USER;
    }

    String user() {
        return USER;
    }

    String password() {
        return probe.getPassword();
    }

    /** Times PostgreSQL was started again after exiting unasked, since the server started. */
    int restarts() {
        return restarts.get();
    }

    /** When it was last started again; null before the first restart. */
    Instant lastRestart() {
        return lastRestart;
    }

    /** The exit code of PostgreSQL's last unasked exit (a signal's is 128 + its number). */
    int lastExitCode() {
        return lastExitCode;
    }

    synchronized boolean running() {
        return process != null && process.isAlive();
    }

    private void supervise() {
        Duration wait = Duration.ofMillis(500);
        while (true) {
            Process started = startPostgres();
            if (started == null) {
                return;
            }
            Instant since = Instant.now();
            if (ready && awaitAccepting(started)) {
                log.info("The embedded PostgreSQL accepts connections again (restart {})", restarts.get());
            }
            int exitCode;
            try {
                exitCode = started.waitFor();
            } catch (InterruptedException closed) {
                return;
            }
            synchronized (this) {
                // A failed first start is reported by awaitReady; an asked-for stop is no crash.
                if (closing || !ready) {
                    return;
                }
            }
            lastExitCode = exitCode;
            // Start again at once after a long run, but back off while it keeps failing (a full disk, say).
            wait = Duration.between(since, Instant.now()).toMinutes() >= 1 ? Duration.ofSeconds(1)
                    : wait.multipliedBy(2).compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : wait.multipliedBy(2);
            log.warn("The embedded PostgreSQL stopped unexpectedly (exit code {}); starting it again in {} s",
                    exitCode, wait.toSeconds());
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException closed) {
                return;
            }
            restarts.incrementAndGet();
            lastRestart = Instant.now();
        }
    }

    /** Starts the postmaster, or answers null when closing (or it cannot be run at all). */
    private synchronized Process startPostgres() {
        if (closing) {
            return null;
        }
        List<String> command = account.command(List.of(bin.resolve("postgres").toString(), "-D", dataDir.toString(),
                "-p", Integer.toString(port),
                "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=",
                // This database holds the user's results: a logMetrics call that returned must survive a crash.
                "-c", "fsync=on",
                "-c", "synchronous_commit=on",
                // As zonky's embedded-postgres configured it before Trackstack ran PostgreSQL itself.
                "-c", "timezone=UTC",
                "-c", "max_connections=300"));
        try {
            process = new ProcessBuilder(command).directory(dataDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
            return process;
        } catch (IOException e) {
            log.error("Could not run the embedded PostgreSQL: {}", e.getMessage());
            return null;
        }
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + STARTUP_WAIT.toNanos();
        for (int attempt = 1; !accepting(); attempt++) {
            if (!supervisor.isAlive()) {
                throw new IOException("The embedded PostgreSQL stopped during start-up; its messages are above");
            }
            if (System.nanoTime() > deadline || !pause(attempt)) {
                throw new IOException("The embedded PostgreSQL did not accept connections within " + STARTUP_WAIT);
            }
        }
        ready = true;
        if (!supervisor.isAlive()) {
            throw new IOException("The embedded PostgreSQL stopped during start-up; its messages are above");
        }
    }

    /** Waits until a restarted PostgreSQL accepts connections; answers false when it exited first. */
    private boolean awaitAccepting(Process started) {
        for (int attempt = 1; started.isAlive(); attempt++) {
            if (accepting()) {
                return true;
            }
            if (!pause(attempt)) {
                return false;
            }
        }
        return false;
    }

    private boolean accepting() {
        try (Connection connection = probe.getConnection()) {
            return true;
        } catch (SQLException e) {
            if ("28P01".equals(e.getSQLState())) {
                throw new EmbeddedDatabaseException("The embedded PostgreSQL in " + dataDir
                        + " refused the password in " + PASSWORD_FILE + ".", "Delete " + dataDir.resolve(PASSWORD_FILE)
                        + " with Trackstack stopped: the next start sets a new password.");
            }
            return false;
        }
    }

    /**
     * Waits before the next connection attempt, 10 ms longer after each up to 100 ms (a later start accepts them
     * within 50 to 150 ms; a long recovery is not asked 100 times a second); answers false when interrupted (closing).
     */
    private static boolean pause(int attempt) {
        try {
            Thread.sleep(Math.min(100, 10L * attempt));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops PostgreSQL with a fast shutdown (sessions ended, everything committed kept) and its supervision. */
    @Override
    public void close() {
        Process running;
        synchronized (this) {
            closing = true;
            running = process;
        }
        supervisor.interrupt();
        if (running == null || !running.isAlive()) {
            return;
        }
        // pg_ctl sends SIGINT (Java's destroy sends SIGTERM, a smart shutdown that waits for every session).
        PostgresAccount.Result stop = PostgresAccount.exec(account.command(List.of(bin.resolve("pg_ctl").toString(),
                "stop", "-D", dataDir.toString(), "-m", "fast", "-t", "60")), "", dataDir);
        try {
            if (stop.exitCode() != 0 || !running.waitFor(10, TimeUnit.SECONDS)) {
                log.warn("The embedded PostgreSQL did not stop ({}); killing it", stop.output());
                running.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A JVM killed with SIGKILL may leave its postmaster running, which would lock the data directory. */
    private static void stopOrphanedPostmaster(Path dataDir) throws IOException {
        runningPostmaster(dataDir).ifPresent(p -> {
            log.warn("Stopping the orphaned PostgreSQL (pid {}) left by an earlier run", p.pid());
            p.destroy();
            try {
                p.onExit().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("Could not stop orphaned PostgreSQL pid " + p.pid(), e);
            }
        });
    }

    /** The postmaster that postmaster.pid names, when it still runs. */
    static Optional<ProcessHandle> runningPostmaster(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        return ProcessHandle.of(pid).filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
    }

    /**
     * A data directory of another PostgreSQL major version (an earlier Trackstack's) cannot be opened by these
     * binaries: PostgreSQL would stop with a message about incompatible files.
     */
    private static void checkMajorVersion(Path bin, Path dataDir) throws IOException {
        Path file = dataDir.resolve("PG_VERSION");
        if (!Files.exists(file)) {
            return;
        }
        String made = Files.readString(file).strip();
        PostgresAccount.Result version = PostgresAccount.exec(List.of(bin.resolve("postgres").toString(),
                "--version"), "", null);
        // "postgres (PostgreSQL) 18.6"
        String bundled = version.output().replaceAll(".*\\) (\\d+).*", "$1");
        if (version.exitCode() == 0 && !made.equals(bundled)) {
            throw new EmbeddedDatabaseException("The data directory " + dataDir + " was made by PostgreSQL " + made
                    + ", and this Trackstack runs PostgreSQL " + bundled + ", which cannot open it.",
                    "Back it up with the Trackstack release that made it (java -jar <that release's jar> backup "
                            + "trackstack.backup --trackstack.data-dir=" + dataDir + "), then restore it with this "
                            + "one into a new data directory (java -jar trackstack.jar restore trackstack.backup "
                            + "--trackstack.data-dir=<new directory>); docs/operations.md, \"Upgrades\".");
        }
    }
}
