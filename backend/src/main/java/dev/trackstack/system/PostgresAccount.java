package dev.trackstack.system;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import com.sun.security.auth.module.UnixSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OS account the embedded PostgreSQL runs as: the server's own, or, when that is root (which PostgreSQL
 * refuses), the system user {@value #SYSTEM_USER}, created when missing. Commands run through util-linux's
 * setpriv, which switches to that account and asks the kernel to stop the command (SIGINT, PostgreSQL's fast
 * shutdown) when the thread that started it ends, so that a killed server leaves no PostgreSQL behind; without
 * setpriv (not on Linux), an ordinary user's commands run as they are.
 *
 * @param name     the account's user name
 * @param group    its primary group's id, when switched
 * @param switched whether commands run as this account instead of the server's (root)
 * @param setpriv  whether setpriv is installed
 */
record PostgresAccount(String name, String group, boolean switched, boolean setpriv) {

    static final String SYSTEM_USER = "trackstack";

    private static final Logger log = LoggerFactory.getLogger(PostgresAccount.class);

    static PostgresAccount forThisProcess() {
        boolean setpriv = onPath("setpriv");
        if (new UnixSystem().getUid() != 0) {
            return new PostgresAccount(System.getProperty("user.name"), null, false, setpriv);
        }
        if (!setpriv || !onPath("useradd")) {
            throw cannotSwitch("setpriv and useradd (util-linux, passwd) are not both installed");
        }
        if (exec("id", "-u", SYSTEM_USER).exitCode() != 0) {
            Result created = exec("useradd", "--system", "--user-group", "--no-create-home", "--home-dir",
                    "/nonexistent", "--shell", "/usr/sbin/nologin", "--comment", "Trackstack's PostgreSQL",
                    SYSTEM_USER);
            if (created.exitCode() != 0) {
                throw cannotSwitch("the system user " + SYSTEM_USER + " could not be created (" + created.output()
                        + ")");
            }
            log.info("Created the system user {} for the embedded PostgreSQL, which refuses to run as root",
                    SYSTEM_USER);
        }
        Result group = exec("id", "-g", SYSTEM_USER);
        log.info("Running as root: the embedded PostgreSQL runs as the system user {}", SYSTEM_USER);
        return new PostgresAccount(SYSTEM_USER, group.output(), true, true);
    }

    private static EmbeddedDatabaseException cannotSwitch(String why) {
        return new EmbeddedDatabaseException("Trackstack runs as root, and its embedded PostgreSQL, which refuses to "
                + "run as root, could not be given an unprivileged account: " + why + ".",
                "Start Trackstack as an ordinary user, create the system user yourself (useradd --system "
                        + SYSTEM_USER + ") with util-linux installed, or set spring.datasource.url to a PostgreSQL "
                        + "server.");
    }

    /** The command as run by this account, stopped by the kernel when the thread starting it ends. */
    List<String> command(List<String> command) {
        List<String> full = new ArrayList<>();
        if (switched) {
            full.addAll(List.of("setpriv", "--reuid=" + name, "--regid=" + group, "--init-groups"));
        } else if (setpriv) {
            full.add("setpriv");
        }
        if (setpriv) {
            // In a session of its own: a terminal's Ctrl-C goes to the server, which stops PostgreSQL once its
            // graceful shutdown is done, instead of to PostgreSQL as well.
            full.addAll(List.of("--pdeathsig=SIGINT", "--", "setsid"));
        }
        full.addAll(command);
        return full;
    }

    /**
     * Makes the data directory this account's and reachable by it: as root, the directory is handed over and its
     * parents get the search permission (o+x, no listing) where the account lacks it, as /root does.
     */
    void own(Path dataDir) throws IOException {
        if (!switched) {
            return;
        }
        if (!Files.getOwner(dataDir).getName().equals(name)) {
            log.info("Handing the data directory {} over to {}", dataDir, name);
            give(true, dataDir);
        }
        for (Path parent = dataDir.getParent(); parent != null; parent = parent.getParent()) {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(parent);
            if (!Files.getOwner(parent).getName().equals(name) && permissions.add(PosixFilePermission.OTHERS_EXECUTE)) {
                log.info("Letting {} reach its data directory through {} (search permission for others, o+x)", name,
                        parent);
                Files.setPosixFilePermissions(parent, permissions);
            }
        }
    }

    /** Hands files the server wrote into the data directory (and, recursively, directories) to this account. */
    void give(boolean recursive, Path... paths) throws IOException {
        if (!switched) {
            return;
        }
        List<String> command = new ArrayList<>(recursive ? List.of("chown", "-R") : List.of("chown"));
        command.add(name + ":");
        Stream.of(paths).map(Path::toString).forEach(command::add);
        Result result = exec(command, "", null);
        if (result.exitCode() != 0) {
            throw new IOException("chown failed: " + result.output());
        }
    }

    /** Runs a PostgreSQL program as this account to its end; fails with the program's output when it fails. */
    void run(Path directory, String input, String... command) throws IOException {
        Result result = exec(command(List.of(command)), input, directory);
        if (result.exitCode() != 0) {
            throw new IOException(Path.of(command[0]).getFileName() + " failed (exit code " + result.exitCode() + "): "
                    + result.output());
        }
    }

    /** Runs a command to its end, feeding it {@code input}; answers its exit code and output (both streams). */
    static Result exec(List<String> command, String input, Path directory) {
        try {
            Process process = new ProcessBuilder(command).directory(directory == null ? null : directory.toFile())
                    .redirectErrorStream(true).start();
            try (var stdin = process.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return new Result(process.waitFor(), output);
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    private static Result exec(String... command) {
        return exec(List.of(command), "", null);
    }

    private static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator))
                .anyMatch(directory -> Files.isExecutable(Path.of(directory, program)));
    }

    record Result(int exitCode, String output) {
    }
}
