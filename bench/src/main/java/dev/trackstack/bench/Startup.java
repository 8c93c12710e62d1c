package dev.trackstack.bench;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Start-up time of the packaged jar on the embedded database, run exactly as the README says ({@code java -jar
 * trackstack.jar}, with only the port and the data directory set): from starting the process to the first answered
 * GraphQL request that reads the database. First starts on an empty data directory (PostgreSQL's initdb, every
 * migration), later starts on the same directory again. Beside the wall time, the CPU time the server's JVM spent
 * until then, which a machine shared with other work distorts less.
 */
final class Startup {

    private static final String QUERY = "{ projects { name } }";

    private Startup() {
    }

    static Map<String, Object> measure(Path jar, Path work, int firstStarts, int laterStarts) throws Exception {
        List<Map<String, Object>> first = new ArrayList<>();
        List<Map<String, Object>> later = new ArrayList<>();
        for (int i = 0; i < firstStarts; i++) {
            Path data = work.resolve("startup-data-" + i);
            first.add(once(jar, data, work));
            for (int j = 0; i == 0 && j < laterStarts; j++) {
                later.add(once(jar, data, work));
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("first_start_median_ms", median(first));
        result.put("later_start_median_ms", median(later));
        result.put("first_starts", first);
        result.put("later_starts", later);
        return result;
    }

    private static Map<String, Object> once(Path jar, Path data, Path logDir) throws Exception {
        int port = Server.freePort();
        long started = System.nanoTime();
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--server.port=" + port, "--trackstack.data-dir=" + data)
                .redirectErrorStream(true).redirectOutput(logDir.resolve("startup-" + port + ".log").toFile()).start();
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
            result.put("server_cpu_ms", process.info().totalCpuDuration().map(Duration::toMillis).orElse(-1L));
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
