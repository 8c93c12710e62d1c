package dev.trackstack.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.trackstack.PackagedServer;
import dev.trackstack.PackagedServerTest;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar trackstack.jar} as the README runs it: the launcher extracts the jar once, runs the server in a
 * second JVM that writes the class archive (on Java 25 and later the AOT cache) when it stops, and maps it on the next
 * start; it starts in its own JVM when the cache cannot be written or the fast start is off. Either way from the bean
 * definitions that the build wrote (Spring AOT), unless the user says {@code -Dspring.aot.enabled=false}.
 */
class FastStartIT extends PackagedServerTest {

    private static final String AOT_PROCESSED = "Starting AOT-processed TrackstackApplication";

    @Test
    void shouldStartTheServerFromTheClassArchiveItWroteWhenItStopped() throws Exception {
        Path cache = work.resolve("cache");
        // The Java that runs the tests (17): the archive of Javas before 25.
        Map<String, String> environment = Map.of("TRACKSTACK_CACHE_DIR", cache.toString(),
                "TRACKSTACK_JAVA", System.getProperty("java.home"),
                "JDK_JAVA_OPTIONS", "-Xlog:class+load=info:file=" + work.resolve("classes-%p.log"));
        String data = "--trackstack.data-dir=" + work.resolve("data");

        server = PackagedServer.start(work, environment, data);
        assertThat(Files.readString(server.log())).contains("Trackstack: extracting the jar to " + cache)
                .contains(AOT_PROCESSED);
        ProcessHandle first = serverJvm();
        assertThat(first.info().arguments().map(List::of).orElseThrow())
                .anySatisfy(a -> assertThat(a).startsWith("-XX:ArchiveClassesAtExit=" + cache))
                .as("the memory settings").contains("-Xmx256m");
        assertThat(environment(first)).contains("MALLOC_ARENA_MAX=2");
        server.createRun("archived");
        assertThat(server.stop()).as("graceful shutdown").isTrue();
        assertThat(server.process().exitValue()).as("the server's exit code (SIGTERM)").isEqualTo(143);
        Path entry = onlyEntry(cache);
        assertThat(entry.resolve("classes.jsa")).isNotEmptyFile();
        try (Stream<Path> files = Files.list(entry)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("classes.jsa", "lib",
                    "trackstack.jar");
        }

        // The user's own heap and arenas, as JAVA_TOOL_OPTIONS and the environment give them.
        Map<String, String> users = new HashMap<>(environment);
        users.putAll(Map.of("JAVA_TOOL_OPTIONS", "-Xmx320m", "MALLOC_ARENA_MAX", "4"));
        server = PackagedServer.start(work, users, data);
        ProcessHandle second = serverJvm();
        assertThat(second.info().arguments().map(List::of).orElseThrow()).contains("-Xmx320m")
                .doesNotContain("-Xmx256m");
        assertThat(environment(second)).contains("MALLOC_ARENA_MAX=4").doesNotContain("MALLOC_ARENA_MAX=2");
        assertThat(Files.readString(server.log())).doesNotContain("extracting the jar").contains(AOT_PROCESSED);
        assertThat(server.data("{ projects { name } }").at("/projects/0/name").asString()).isEqualTo("archived");
        assertThat(Files.readString(work.resolve("classes-" + second.pid() + ".log")))
                .as("the server's own classes come from the archive")
                .contains("dev.trackstack.TrackstackApplication source: shared objects file (top)");

        server.process().destroyForcibly();  // SIGKILL: the launcher cannot pass it on
        assertThat(second.onExit()).as("the server stops when its launcher is gone")
                .succeedsWithin(Duration.ofSeconds(60));
        assertThat(Files.readString(server.log())).contains("The launcher (process " + server.process().pid()
                + ") is gone; stopping");
    }

    @Test
    void shouldRunTheServerOnJava25OrLaterFromTheAotCacheItWroteWhenItStopped() throws Exception {
        ServerJava current = ServerJava.current();
        ServerJava newer = ServerJava.choose(Map.of(), current, ServerJava.installed(System.getenv()));
        assumeTrue(newer.aotCache() && newer != current,
                "needs a Java 25 or later installed beside the Java 17 that runs the tests (/usr/lib/jvm)");
        Path cache = work.resolve("cache");
        Map<String, String> environment = Map.of("TRACKSTACK_CACHE_DIR", cache.toString(),
                "JDK_JAVA_OPTIONS", "-Xlog:class+load=info:file=" + work.resolve("classes-%p.log"));
        String data = "--trackstack.data-dir=" + work.resolve("data");

        server = PackagedServer.start(work, environment, data);
        assertThat(Files.readString(server.log())).contains("Trackstack: running the server on Java "
                + newer.version() + " (" + newer.home() + ")");
        ProcessHandle first = serverJvm();
        assertThat(first.info().command()).contains(newer.java().toString());
        assertThat(first.info().arguments().map(List::of).orElseThrow())
                .anySatisfy(a -> assertThat(a).startsWith("-XX:AOTConfiguration=" + cache))
                .contains("-XX:AOTMode=record", "-Xmx256m");
        server.createRun("cached");
        assertThat(server.stop()).as("graceful shutdown, the cache written").isTrue();
        assertThat(server.process().exitValue()).isEqualTo(143);
        assertThat(Files.readString(server.log())).contains("Trackstack: writing the start-up cache");
        Path entry = onlyEntry(cache);
        try (Stream<Path> files = Files.list(entry)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("server.aot", "lib",
                    "trackstack.jar");
        }

        server = PackagedServer.start(work, environment, data);
        ProcessHandle second = serverJvm();
        assertThat(second.info().arguments().map(List::of).orElseThrow())
                .contains("-XX:AOTCache=" + entry.resolve("server.aot"), "-XX:-AOTReplayTraining");
        assertThat(Files.readString(server.log())).contains(AOT_PROCESSED);
        assertThat(server.data("{ projects { name } }").at("/projects/0/name").asString()).isEqualTo("cached");
        assertThat(Files.readString(work.resolve("classes-" + second.pid() + ".log")))
                .as("the server's own classes come from the AOT cache")
                .contains("dev.trackstack.TrackstackApplication source: shared objects file");
    }

    @Test
    void shouldStartInItsOwnJvmWhenTheCacheCannotBeMadeOrTheFastStartIsOff() throws Exception {
        Path notADirectory = Files.writeString(work.resolve("file"), "");
        String data = "--trackstack.data-dir=" + work.resolve("data");
        server = PackagedServer.start(work, Map.of("TRACKSTACK_CACHE_DIR", notADirectory.toString()), data);
        assertThat(Files.readString(server.log())).contains("Trackstack: starting without the class archive")
                .contains(AOT_PROCESSED);
        assertThat(javaChildren()).as("no second JVM").isEmpty();
        server.createRun("in-process");
        assertThat(server.stop()).isTrue();

        server = PackagedServer.start(work, Map.of("TRACKSTACK_CACHE_DIR", work.resolve("unused").toString(),
                "TRACKSTACK_FAST_START", "false", "JAVA_TOOL_OPTIONS", "-Dspring.aot.enabled=false"), data);
        assertThat(javaChildren()).as("no second JVM").isEmpty();
        assertThat(Files.readString(server.log())).as("the user's choice").doesNotContain(AOT_PROCESSED)
                .contains("Starting TrackstackApplication");
        assertThat(work.resolve("unused")).doesNotExist();
        assertThat(server.data("{ projects { name } }").at("/projects/0/name").asString()).isEqualTo("in-process");
        server.stop();

        Path log = work.resolve("no-java.log");
        Process wrongJava = PackagedServer.run(log, Map.of("TRACKSTACK_JAVA", notADirectory.toString()), List.of(data));
        assertThat(wrongJava.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(wrongJava.exitValue()).isEqualTo(2);
        assertThat(Files.readString(log)).contains("Trackstack: TRACKSTACK_JAVA=" + notADirectory + " is not a Java"
                + " home (a folder with bin/java and a release file of Java 17 or later): set it to one, or unset it to"
                + " run the server on the Java that runs the launcher\n").doesNotContain("\tat ");
    }

    private List<ProcessHandle> javaChildren() {
        return server.process().children()
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false)).toList();
    }

    private ProcessHandle serverJvm() {
        List<ProcessHandle> children = javaChildren();
        assertThat(children).as("the launcher's one child, the server's JVM").hasSize(1);
        return children.get(0);
    }

    /** A process's environment, NAME=value each. */
    private static List<String> environment(ProcessHandle process) throws Exception {
        return List.of(Files.readString(Path.of("/proc", String.valueOf(process.pid()), "environ")).split("\0"));
    }

    private static Path onlyEntry(Path cache) throws Exception {
        try (Stream<Path> entries = Files.list(cache)) {
            List<Path> all = entries.toList();
            assertThat(all).as("one cache entry").hasSize(1);
            return all.get(0);
        }
    }
}
