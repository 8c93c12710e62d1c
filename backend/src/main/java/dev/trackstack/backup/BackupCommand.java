package dev.trackstack.backup;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.sql.DataSource;

import dev.trackstack.artifact.ArtifactDirectory;
import dev.trackstack.artifact.ArtifactProperties;
import dev.trackstack.artifact.BlobStore;
import dev.trackstack.artifact.FilesystemBlobStore;
import dev.trackstack.system.EmbeddedDatabase;
import dev.trackstack.system.EmbeddedDatabaseException;
import dev.trackstack.system.TrackstackProperties;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.FileSystemUtils;

/**
 * {@code java -jar trackstack.jar backup|restore <file> [settings]}: a backup of the server's database and artifact
 * files, taken while the server runs (or with it stopped), and its restore into a new database. The settings are
 * the server's (arguments, environment, application.properties), so the command finds the database the server
 * uses. Exit code 0 when it succeeded, 1 when it failed (one sentence on stderr), 2 for a wrong command line.
 */
public final class BackupCommand {

    private static final String USAGE = """
            Usage: java -jar trackstack.jar backup <file> [settings]
                   java -jar trackstack.jar restore <file> [settings]
            The settings are the server's, as arguments (--name=value) or environment variables:
              --trackstack.data-dir=<dir>          the embedded database (default ~/.trackstack/data); backup works
                                                   with the server running or stopped, restore needs a new directory
              --spring.datasource.url=<jdbc url>   another PostgreSQL instead, with --spring.datasource.username and
                                                   --spring.datasource.password
              --trackstack.artifacts.directory=<dir>  artifact files (default: artifacts in the data directory)""";

    private BackupCommand() {
    }

    /** Whether the command line asks for this command rather than the server. */
    public static boolean wanted(String[] args) {
        return args.length > 0 && (args[0].equals("backup") || args[0].equals("restore"));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        String[] settings = args.length < 2 ? new String[0] : Arrays.copyOfRange(args, 2, args.length);
        if (args.length < 2 || args[1].startsWith("--") || !Stream.of(settings).allMatch(s -> s.startsWith("--"))) {
            err.println(USAGE);
            return 2;
        }
        Path file = Path.of(args[1]).toAbsolutePath();
        try {
            Settings server = Settings.of(settings);
            long started = System.nanoTime();
            String done = args[0].equals("backup") ? backup(file, server, err) : restore(file, server, err);
            out.printf("%s in %.1f s.%n", done, (System.nanoTime() - started) / 1e9);
            if (args[0].equals("restore")) {
                out.println("Start the server on it: it migrates the schema on to its own version.");
            }
            return 0;
        } catch (BackupException e) {
            err.println(args[0] + " failed: " + e.getMessage());
        } catch (EmbeddedDatabaseException e) {
            err.println(args[0] + " failed: " + e.getMessage() + " " + e.action());
        } catch (SQLException e) {
            err.println(args[0] + " failed, and " + (args[0].equals("backup") ? "no backup was written" : "nothing was "
                    + "restored") + ": " + e.getMessage().lines().findFirst().orElse(""));
        } catch (IOException | RuntimeException e) {
            // An IOException's own message is the system's ("No space left on device"); others need their name.
            err.println(args[0] + " failed, and " + (args[0].equals("backup") ? "no backup was written" : "nothing was "
                    + "restored") + ": " + (e.getClass() == IOException.class ? e.getMessage() : e));
        }
        return 1;
    }

    private static String backup(Path file, Settings server, PrintStream err) throws IOException, SQLException {
        if (!Files.isDirectory(file.getParent())) {
            throw new BackupException("The directory " + file.getParent() + " does not exist.");
        }
        try (Database database = server.database(); Connection connection = database.dataSource().getConnection()) {
            List<String> warnings = new ArrayList<>();
            if (server.blobs() == null) {
                warnings.add("The artifact files are in the S3 bucket, which this backup does not include: back the "
                        + "bucket up with its own tools.");
            }
            BackupManifest manifest = Backup.write(connection, server.blobs(), file, warnings);
            warnings.forEach(err::println);
            return "Backed up " + manifest.tables().size() + " tables (" + manifest.tables().stream()
                    .mapToLong(BackupManifest.Table::rows).sum() + " rows) and " + manifest.blobs()
                    + " artifact files of " + database.name() + " (schema version " + manifest.schemaVersion()
                    + ") to " + file + ", " + Files.size(file) / 1024 + " KiB,";
        }
    }

    /** Into a data directory that this command makes, which it removes again when the restore fails. */
    private static String restore(Path file, Settings server, PrintStream err) throws IOException, SQLException {
        Restore restore = Restore.open(file);
        Path dataDir = server.dataDir();
        boolean existed = Files.exists(dataDir);
        boolean newDirectory = server.url().isEmpty() && (!existed || isEmptyDirectory(dataDir));
        boolean restored = false;
        try (Database database = server.database()) {
            if (database.serverRunning()) {
                throw new BackupException("A Trackstack server runs on the data directory " + dataDir
                        + ": restore into a new data directory (--trackstack.data-dir), or stop the server first.");
            }
            BlobStore blobs = server.blobs();
            if (blobs == null && restore.manifest().blobs() > 0) {
                err.println("The backup's " + restore.manifest().blobs() + " artifact files are not restored: the "
                        + "artifact store here is S3; restore with trackstack.artifacts.store=FILESYSTEM, then copy "
                        + "the blobs directory into the bucket.");
            }
            restore.into(database.dataSource(), database.name(), blobs, blobs == null ? null
                    : server.artifacts().uploads());
            restored = true;
            return "Restored " + restore.manifest().tables().size() + " tables and " + restore.manifest().blobs()
                    + " artifact files (Trackstack " + restore.manifest().trackstackVersion() + ", schema version "
                    + restore.manifest().schemaVersion() + ") into " + database.name();
        } finally {
            restore.close();
            if (newDirectory && !restored) {
                // An empty directory given stays (it may be a mount point), emptied again.
                if (existed) {
                    try (Stream<Path> entries = Files.list(dataDir)) {
                        for (Path entry : entries.toList()) {
                            FileSystemUtils.deleteRecursively(entry);
                        }
                    }
                } else {
                    FileSystemUtils.deleteRecursively(dataDir);
                }
            }
        }
    }

    private static boolean isEmptyDirectory(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return Files.isDirectory(directory) && entries.findAny().isEmpty();
        }
    }

    /** The server's settings that say where its data is. */
    private record Settings(String url, String username, String password, Path dataDir, ArtifactDirectory artifacts,
            boolean s3) {

        /** Read as the server reads them (Spring Boot's property sources), without starting anything. */
        static Settings of(String[] arguments) {
            SpringApplication application = new SpringApplication(NoBeans.class);
            application.setWebApplicationType(WebApplicationType.NONE);
            application.setBannerMode(Banner.Mode.OFF);
            application.setLogStartupInfo(false);
            application.setDefaultProperties(Map.of("logging.level.root", "warn"));
            Binder binder;
            try (ConfigurableApplicationContext context = application.run(arguments)) {
                binder = Binder.get(context.getEnvironment());
            }
            TrackstackProperties trackstack = binder.bindOrCreate("trackstack", TrackstackProperties.class);
            ArtifactProperties artifacts = binder.bindOrCreate("trackstack.artifacts", ArtifactProperties.class);
            return new Settings(binder.bind("spring.datasource.url", String.class).orElse(""),
                    binder.bind("spring.datasource.username", String.class).orElse(null),
                    binder.bind("spring.datasource.password", String.class).orElse(null),
                    trackstack.dataDir().toAbsolutePath(), new ArtifactDirectory(artifacts, trackstack),
                    artifacts.store() == ArtifactProperties.Store.S3);
        }

        Database database() throws IOException {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            if (!url.isEmpty()) {
                dataSource.setUrl(url);
                dataSource.setUser(username);
                dataSource.setPassword(password);
                return new Database(dataSource, "the database " + url, null);
            }
            EmbeddedDatabase embedded = EmbeddedDatabase.open(dataDir);
            dataSource.setUrl(embedded.jdbcUrl());
            dataSource.setUser(embedded.user());
            dataSource.setPassword(embedded.password());
            return new Database(dataSource, "the data directory " + dataDir, embedded);
        }

        /** The local blob store; null with S3. */
        BlobStore blobs() {
            return s3 ? null : new FilesystemBlobStore(artifacts.blobs());
        }
    }

    /** The source of the context that only reads the settings. */
    private static final class NoBeans {
    }

    /** A database to work on, and the embedded PostgreSQL that reaches it (null for another PostgreSQL). */
    private record Database(DataSource dataSource, String name, EmbeddedDatabase embedded) implements AutoCloseable {

        boolean serverRunning() {
            return embedded != null && !embedded.startedHere();
        }

        @Override
        public void close() {
            if (embedded != null) {
                embedded.close();
            }
        }
    }
}
