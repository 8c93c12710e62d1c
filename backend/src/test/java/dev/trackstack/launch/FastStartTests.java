package dev.trackstack.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FastStartTests {

    @TempDir
    Path work;

    @Test
    void shouldNameTheCacheEntryByTheJarsContentAndTheJava() throws Exception {
        Path jar = work.resolve("trackstack.jar");
        String name = entryOf(jar, "version 1");
        assertThat(entryOf(jar, "version 1")).isEqualTo(name);
        assertThat(entryOf(jar, "version 2")).as("same size and time, other content")
                .isNotEqualTo(name).startsWith(name.substring(0, name.indexOf('-') + 1));
        writeJar(jar, "version 1");
        assertThat(FastStart.entryName(jar, "/usr/lib/jvm/java-21", "JAVA_VERSION=\"21.0.5\""))
                .as("another Java").isNotEqualTo(name);
        assertThat(FastStart.entryName(jar, "/jdk", "JAVA_VERSION=\"17.0.16\"")).as("the same home, updated")
                .isNotEqualTo(name);
        Path copy = Files.copy(jar, work.resolve("copy.jar"));
        assertThat(FastStart.entryName(copy, "/jdk", "17")).as("another jar")
                .doesNotStartWith(name.substring(0, name.indexOf('-')));
    }

    @Test
    void shouldBeOnUnlessTurnedOff() {
        assertThat(FastStart.enabled(new String[0], Map.of())).isTrue();
        assertThat(FastStart.enabled(new String[0], Map.of("TRACKSTACK_FAST_START", "false"))).isFalse();
        assertThat(FastStart.enabled(new String[] {"--trackstack.fast-start=false"}, Map.of())).isFalse();
        assertThat(FastStart.enabled(new String[] {"--trackstack.fast-start=true"},
                Map.of("TRACKSTACK_FAST_START", "false"))).isTrue();
    }

    @Test
    void shouldStayInOneJvmWithAgentsDebuggersRecordingsOrOwnArchives() {
        assertThat(FastStart.conflicts("-agentlib:jdwp=transport=dt_socket,server=y,address=5005")).isTrue();
        assertThat(FastStart.conflicts("-javaagent:/opt/otel.jar")).isTrue();
        assertThat(FastStart.conflicts("-XX:StartFlightRecording=duration=60s")).isTrue();
        assertThat(FastStart.conflicts("-XX:SharedArchiveFile=app.jsa")).isTrue();
        assertThat(FastStart.conflicts("-Xmx4g")).isFalse();
        assertThat(FastStart.conflicts("-Dtrackstack.data-dir=/data")).isFalse();
    }

    @Test
    void shouldKeepTheCacheInTheHomeDirectoryUnlessSetElsewhere() {
        assertThat(FastStart.cacheRoot(Map.of("HOME", "/home/ada"))).isEqualTo(Path.of("/home/ada/.trackstack/cache"));
        assertThat(FastStart.cacheRoot(Map.of("HOME", "/home/ada", "TRACKSTACK_CACHE_DIR", "/var/cache/trackstack")))
                .isEqualTo(Path.of("/var/cache/trackstack"));
    }

    private String entryOf(Path jar, String content) throws Exception {
        writeJar(jar, content);
        return FastStart.entryName(jar, "/jdk", "JAVA_VERSION=\"17.0.15\"");
    }

    private static void writeJar(Path jar, String content) throws Exception {
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            ZipEntry entry = new ZipEntry("BOOT-INF/classes/version.txt");
            entry.setTime(315532800000L);
            zip.putNextEntry(entry);
            zip.write(content.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(315532800000L));
    }
}
