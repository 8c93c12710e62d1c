package dev.trackstack.bench;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Start-up time of the packaged jar on the embedded database, run exactly as the README says ({@code java -jar
 * trackstack.jar}, with only the port and the data directory set): from starting the process to the first answered
 * GraphQL request that reads the database. First starts on an empty data directory and an empty cache (PostgreSQL's
 * initdb, every migration, extracting the jar), later starts on the same directories again: the second start is the
 * first that maps the class archive the first one wrote when it stopped. Side by side, later starts without the
 * bean definitions that the build wrote ({@code -Dspring.aot.enabled=false}, with a cache of their own), later starts
 * in one JVM ({@code TRACKSTACK_FAST_START=false}, how every start ran before the fast start), and later starts with
 * the server on the launcher's own Java ({@code TRACKSTACK_JAVA}, its class archive) where the launcher chose a newer
 * Java for its AOT cache. Beside the wall time, the CPU time of the launcher's and the server's JVMs until then, which
 * a machine shared with other work distorts less.
 */
final class Startup {

    private static final String QUERY = "{ projects { name } }";
    /** Spring Boot's first line: "Starting TrackstackApplication v0.1.0 using Java 25.0.3 with PID ...". */
    private static final Pattern SERVER_JAVA = Pattern.compile("using Java (\\S+)");

    private Startup() {
    }

    static Map<String, Object> measure(Path jar, Path work, int firstStarts, int laterStarts) throws Exception {
        List<Map<String, Object>> first = new ArrayList<>();
        List<Map<String, Object>> later = new ArrayList<>();
        List<Map<String, Object>> withoutAot = new ArrayList<>();
        List<Map<String, Object>> oneJvm = new ArrayList<>();
        List<Map<String, Object>> launchersJava = new ArrayList<>();
        Map<String, String> aotOff = Map.of("JAVA_TOOL_OPTIONS", "-Dspring.aot.enabled=false",
                "TRACKSTACK_CACHE_DIR", work.resolve("startup-cache-without-aot").toString());
        Map<String, String> onLaunchersJava = Map.of("TRACKSTACK_JAVA", System.getProperty("java.home"),
                "TRACKSTACK_CACHE_DIR", work.resolve("startup-cache-launchers-java").toString());
        for (int i = 0; i < firstStarts; i++) {
            Path data = work.resolve("startup-data-" + i);
            Map<String, String> cache = Map.of("TRACKSTACK_CACHE_DIR", work.resolve("startup-cache-" + i).toString());
            first.add(once(jar, data, work, cache));
            if (i == 0 && laterStarts > 0) {
                once(jar, data, work, aotOff);  // each writes its cache when it stops
                once(jar, data, work, onLaunchersJava);
            }
            for (int j = 0; i == 0 && j < laterStarts; j++) {
                later.add(once(jar, data, work, cache));
                withoutAot.add(once(jar, data, work, aotOff));
                oneJvm.add(once(jar, data, work, Map.of("TRACKSTACK_FAST_START", "false")));
                launchersJava.add(once(jar, data, work, onLaunchersJava));
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("first_start_median_ms", median(first));
        result.put("later_start_median_ms", median(later));
        result.put("later_start_without_aot_median_ms", median(withoutAot));
        result.put("later_start_in_one_jvm_median_ms", median(oneJvm));
        result.put("later_start_on_launchers_java_median_ms", median(launchersJava));
        result.put("launchers_java", Runtime.version().toString());
        result.put("first_starts", first);
        result.put("later_starts", later);
        result.put("later_starts_without_aot", withoutAot);
        result.put("later_starts_in_one_jvm", oneJvm);
        result.put("later_starts_on_launchers_java", launchersJava);
        return result;
    }

    private static Map<String, Object> once(Path jar, Path data, Path logDir, Map<String, String> environment)
            throws Exception {
        int port = Server.freePort();
        long started = System.nanoTime();
        Path log = logDir.resolve("startup-" + port + ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--server.port=" + port, "--trackstack.data-dir=" + data)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            Api api = new Api("http://127.0.0.1:" + port);
            long deadline = started + Duration.ofMinutes(3).toNanos();
            while (!answered(api)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the server did not start; see " + logDir);
                }
                Thread.sleep(20);
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("ms", millis);
            Matcher java = SERVER_JAVA.matcher(Files.readString(log));
            result.put("server_java", java.find() ? java.group(1) : "?");
            result.put("server_cpu_ms", Stream.concat(Stream.of(process.toHandle()), process.descendants())
                    .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                    .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toMillis).orElse(0L)).sum());
            return result;
        } finally {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static boolean answered(Api api) {
        try {
            Api.data(api.send(QUERY, Map.of()));
            return true;
        } catch (UncheckedIOException | IllegalStateException notYet) {
            return false;
        }
    }

    private static long median(List<Map<String, Object>> starts) {
        long[] millis = starts.stream().mapToLong(s -> (long) s.get("ms")).sorted().toArray();
        return millis.length == 0 ? 0 : millis[(millis.length - 1) / 2];
    }
}
