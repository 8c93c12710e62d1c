package dev.trackstack.launch;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipFile;

import org.slf4j.LoggerFactory;

/**
 * {@code java -jar trackstack.jar} runs the server in a second JVM that maps a class-data-sharing archive of the
 * server's classes: loading and verifying some 19,000 classes is most of a start, and the archive halves it. The
 * archive needs the jars as files (not nested in the executable jar), so the jar is extracted once per jar and Java
 * into the cache directory ({@code TRACKSTACK_CACHE_DIR}, default {@code ~/.trackstack/cache}), and the JVM writes the
 * archive when that first server stops: on Java 25 and later an AOT cache, which also keeps the classes linked and
 * the methods' profiles, on older Javas a dynamic class archive. The server runs on the Java {@link ServerJava}
 * chooses, with the memory settings of {@link MemorySettings}. This
 * process (the launcher) only waits: it forwards its stop to the server and exits with the server's exit code, and
 * the server stops when the launcher is gone.
 */
public final class FastStart {

    static final String LAUNCHER_PID = "trackstack.launcher-pid";
    private static final String APPLICATION_JAR = "trackstack.jar";
    private static final String AOT = "spring.aot.enabled";

    /**
     * JVM options under which a second JVM would misbehave: an agent or debugger would bind its port twice, a
     * flight recording with a dynamic archive crashes Java 17's JVM, and class-data options are the user's own.
     */
    private static final List<String> CONFLICTING_OPTIONS = List.of("-agentlib", "-agentpath", "-javaagent",
            "-Xrunjdwp", "-Xdebug", "-XX:StartFlightRecording", "-XX:+FlightRecorder", "-XX:SharedArchiveFile",
            "-XX:ArchiveClassesAtExit", "-XX:+AutoCreateSharedArchive", "-Xshare");

    private FastStart() {
    }

    /**
     * Runs the server in a second JVM and exits with its exit code; returns (and the server starts in this JVM) when
     * this is not the executable jar, the fast start is turned off, a JVM option conflicts, or the cache cannot be made.
     */
    public static void relaunch(String[] args) {
        Optional<Path> jar = executableJar();
        if (jar.isEmpty()) {
            return;
        }
        // The build wrote the application context's bean definitions as code (Spring AOT): starting from them skips
        // reading the configuration classes and evaluating their conditions. A user's -Dspring.aot.enabled stays.
        if (System.getProperty(AOT) == null) {
            System.setProperty(AOT, "true");
        }
        List<String> jvmOptions = ManagementFactory.getRuntimeMXBean().getInputArguments();
        if (!enabled(args, System.getenv()) || jvmOptions.stream().anyMatch(FastStart::conflicts)) {
            return;
        }
        ServerJava current = ServerJava.current();
        ServerJava java;
        try {
            java = ServerJava.choose(System.getenv(), current, ServerJava.installed(System.getenv()));
        } catch (IllegalArgumentException e) {
            System.out.println("Trackstack: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path cache;
        try {
            cache = prepare(jar.get(), cacheRoot(System.getenv()), java);
        } catch (IOException | RuntimeException e) {
            System.out.println("Trackstack: starting without the class archive (" + e + ")");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (!java.home().equals(current.home())) {
            System.out.println("Trackstack: running the server on Java " + java.version() + " (" + java.home() + ")"
                    + (java.aotCache() ? ", which starts it faster from an AOT cache" : "")
                    + "; TRACKSTACK_JAVA=<a Java home> chooses the Java");
        }
        System.exit(new Server(java, cache, jvmOptions, args).run());
    }

    /** In the server's JVM: stop (gracefully) when the launcher is gone, for example killed. */
    public static void followLauncher() {
        String pid = System.getProperty(LAUNCHER_PID);
        if (pid == null) {
            return;
        }
        ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::onExit)
                .ifPresentOrElse(exit -> exit.thenRun(FastStart::launcherGone), FastStart::launcherGone);
    }

    private static void launcherGone() {
        LoggerFactory.getLogger(FastStart.class).warn("The launcher (process {}) is gone; stopping",
                System.getProperty(LAUNCHER_PID));
        System.exit(1);
    }

    /** The executable jar, when this class was loaded from inside it (Spring Boot's launcher, not the class path). */
    static Optional<Path> executableJar() {
        String classPath = System.getProperty("java.class.path", "");
        boolean nested = FastStart.class.getClassLoader() != ClassLoader.getSystemClassLoader();
        return nested && classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator)
                ? Optional.of(Path.of(classPath).toAbsolutePath()) : Optional.empty();
    }

    static boolean enabled(String[] args, Map<String, String> environment) {
        String setting = System.getProperty("trackstack.fast-start", environment.getOrDefault("TRACKSTACK_FAST_START", "true"));
        for (String arg : args) {
            if (arg.startsWith("--trackstack.fast-start=")) {
                setting = arg.substring(arg.indexOf('=') + 1);
            }
        }
        return !setting.equalsIgnoreCase("false");
    }

    static boolean conflicts(String jvmOption) {
        return CONFLICTING_OPTIONS.stream().anyMatch(jvmOption::startsWith);
    }

    static Path cacheRoot(Map<String, String> environment) {
        String root = environment.get("TRACKSTACK_CACHE_DIR");
        if (root != null && !root.isBlank()) {
            return Path.of(root);
        }
        return Path.of(environment.getOrDefault("HOME", System.getProperty("user.home")), ".trackstack", "cache");
    }

    /**
     * The cache entry's name: which jar (its path) and what is in it (each entry's name and CRC, as the jar's
     * directory lists them; a reproducible build gives every jar the same time) and the Java that runs it (its home
     * and release file), so that a rebuilt jar or another Java gets a new entry, and the old one of the same path is
     * removed.
     */
    static String entryName(Path jar, String javaHome, String javaRelease) throws IOException {
        StringBuilder content = new StringBuilder(javaHome).append('/').append(javaRelease);
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            zip.stream().forEach(e -> content.append('\n').append(e.getName()).append(' ').append(e.getCrc()));
        }
        return hash(jar.toString()) + "-" + hash(content.toString());
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The extracted jar for this jar and Java, extracting it first if needed. */
    static Path prepare(Path jar, Path root, ServerJava java) throws IOException, InterruptedException {
        String name = entryName(jar.toRealPath(), java.home().toString(), java.release());
        Path entry = root.resolve(name);
        if (Files.isRegularFile(entry.resolve(APPLICATION_JAR))) {
            return entry;
        }
        Files.createDirectories(root);
        removeOthersOf(root, name.substring(0, name.indexOf('-') + 1), name);
        Path extracting = root.resolve(name + ".extracting-" + ProcessHandle.current().pid());
        System.out.println("Trackstack: extracting the jar to " + entry + " (once per jar and Java) for a faster start");
        Process extract = withoutOptionVariables(new ProcessBuilder(java(), "-Djarmode=tools", "-jar", jar.toString(),
                "extract", "--destination", extracting.toString(), "--application-filename", APPLICATION_JAR))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (extract.waitFor() != 0) {
            deleteTree(extracting);
            throw new IOException("extracting the jar failed with exit code " + extract.exitValue());
        }
        try {
            Files.move(extracting, entry, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException anotherStartWasFaster) {
            deleteTree(extracting);
        }
        return entry;
    }

    private static void removeOthersOf(Path root, String jarPrefix, String keep) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, jarPrefix + "*")) {
            for (Path other : entries) {
                if (!other.getFileName().toString().equals(keep)) {
                    deleteTree(other);
                }
            }
        }
    }

    private static void deleteTree(Path path) throws IOException {
        if (Files.exists(path)) {
            try (var paths = Files.walk(path)) {
                for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The JVM options of these variables are among this JVM's options already, which a child gets explicitly. */
    private static ProcessBuilder withoutOptionVariables(ProcessBuilder builder) {
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        return builder;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The server's JVM: with the archive when there is one, else recording it as it runs. Java 17's JVM writes its
     * dynamic archive when it stops; Java 25's writes the AOT configuration (the classes it loaded and the methods'
     * profiles), from which a JVM of its own makes the AOT cache after a clean stop (8-15 s, not after a failed start).
     */
    private static final class Server {

        private final boolean aot;
        private final Path archive;
        private final Path writing;
        private final List<String> jvm = new ArrayList<>();
        private final List<String> command = new ArrayList<>();
        private Process process;

        Server(ServerJava java, Path entry, List<String> jvmOptions, String[] args) {
            aot = java.aotCache();
            archive = entry.resolve(aot ? "server.aot" : "classes.jsa");
            writing = entry.resolve((aot ? "server.aotconf." : "classes.jsa.") + ProcessHandle.current().pid());
            boolean mapped = Files.isRegularFile(archive);
            jvm.add(java.java().toString());
            jvm.addAll(MemorySettings.jvmOptions(jvmOptions));
            jvm.add("-D" + AOT + "=" + System.getProperty(AOT));
            jvm.addAll(jvmOptions);
            // Which classes the archive leaves out (generated, or failing verification) is no news to a user.
            jvm.add(aot ? "-Xlog:aot*=off,cds*=off" : "-Xlog:cds=off,cds+dynamic=off");
            command.addAll(jvm);
            if (aot) {
                // Without replaying the recorded profiles: they came from a run that mostly started the server, and
                // compiled with them it ingested a third slower (performance.md, start-up, sessions 23 and 24).
                command.addAll(mapped ? List.of("-XX:AOTCache=" + archive, "-XX:+UnlockDiagnosticVMOptions",
                                "-XX:-AOTReplayTraining")
                        : List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + writing));
            } else {
                command.add(mapped ? "-XX:SharedArchiveFile=" + archive : "-XX:ArchiveClassesAtExit=" + writing);
            }
            command.add("-D" + LAUNCHER_PID + "=" + ProcessHandle.current().pid());
            command.addAll(application(entry));
            command.addAll(Arrays.asList(args));
        }

        private static List<String> application(Path entry) {
            return List.of("-jar", entry.resolve(APPLICATION_JAR).toString());
        }

        int run() {
            try {
                ProcessBuilder builder = withoutOptionVariables(new ProcessBuilder(command)).inheritIO();
                MemorySettings.addTo(builder.environment());
                process = builder.start();
            } catch (IOException e) {
                System.out.println("Trackstack: the server's JVM did not start: " + e.getMessage());
                return 1;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                // Stopped (SIGTERM, Ctrl-C): the server stops gracefully, and this process exits as it does.
                process.destroy();
                Runtime.getRuntime().halt(finish());
            }));
            return finish();
        }

        /** Waits for the server and keeps the archive it wrote when it stopped cleanly; its exit code. */
        private synchronized int finish() {
            int code;
            try {
                code = process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
            try {
                if (Files.isRegularFile(writing)) {
                    if (code != 0 && code != 130 && code != 143) {
                        Files.delete(writing);
                    } else if (aot) {
                        makeAotCache();
                    } else {
                        Files.move(writing, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            } catch (IOException e) {
                System.out.println("Trackstack: the class archive was not kept: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return code;
        }

        /** Makes the AOT cache from the configuration the server's run recorded, which is then deleted. */
        private void makeAotCache() throws IOException, InterruptedException {
            System.out.println("Trackstack: writing the start-up cache for the next start (once per jar and Java)");
            Path made = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid());
            List<String> create = new ArrayList<>(jvm);
            create.addAll(List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=" + writing, "-XX:AOTCache=" + made));
            create.addAll(application(archive.getParent()));
            try {
                Process creating = withoutOptionVariables(new ProcessBuilder(create)).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (creating.waitFor() == 0 && Files.isRegularFile(made)) {
                    Files.move(made, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    System.out.println("Trackstack: the start-up cache was not written (exit code "
                            + creating.exitValue() + "); the next start records it again");
                }
            } finally {
                Files.deleteIfExists(made);
                Files.delete(writing);
            }
        }
    }
}
