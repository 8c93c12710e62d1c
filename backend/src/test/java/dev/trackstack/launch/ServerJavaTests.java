package dev.trackstack.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerJavaTests {

    private static final String ARCH = System.getProperty("os.arch").equals("amd64") ? "x86_64"
            : System.getProperty("os.arch");

    @TempDir
    Path jvms;

    @Test
    void shouldRunTheServerOnTheNewestHotSpotJavaOf25OrLaterWhenNewerThanTheLaunchers() throws Exception {
        ServerJava current = javaAt("17", "17.0.15", ARCH, "Hotspot");
        Path java25 = home("temurin-25", "25.0.3", ARCH, "Hotspot");
        Path java26 = home("jdk-26", "26.0.1", ARCH, "Hotspot");
        Path java21 = home("java-21", "21.0.9", ARCH, "Hotspot");
        Path openJ9 = home("semeru-27", "27", ARCH, "OpenJ9");
        Path otherArch = home("jdk-28-arm", "28", "sparcv9", "Hotspot");
        Path noJava = Files.createDirectories(jvms.resolve("empty"));

        assertThat(ServerJava.choose(Map.of(), current, List.of(java21, java25, java26, openJ9, otherArch, noJava))
                .home()).as("the newest HotSpot of this machine's architecture").isEqualTo(java26);
        assertThat(ServerJava.choose(Map.of(), current, List.of(java21, noJava))).as("none of 25 or later")
                .isSameAs(current);
        ServerJava current26 = javaAt("26b", "26.0.2", ARCH, "Hotspot");
        assertThat(ServerJava.choose(Map.of(), current26, List.of(java25, java26))).as("none newer than the launcher's")
                .isSameAs(current26);
        assertThat(ServerJava.choose(Map.of(), current, List.of(java25)).aotCache()).isTrue();
        assertThat(current.aotCache()).isFalse();
    }

    @Test
    void shouldRunTheServerOnTheJavaThatTrackstackJavaNamesOrSayWhatIsWrongWithIt() throws Exception {
        ServerJava current = javaAt("launcher", "25.0.3", ARCH, "Hotspot");
        Path java21 = home("java-21", "21.0.9", ARCH, "Hotspot");
        assertThat(ServerJava.choose(Map.of("TRACKSTACK_JAVA", java21.toString()), current, List.of()).home())
                .isEqualTo(java21);
        Path notJava = Files.createDirectories(jvms.resolve("opt"));
        assertThatThrownBy(() -> ServerJava.choose(Map.of("TRACKSTACK_JAVA", notJava.toString()), current, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TRACKSTACK_JAVA=" + notJava + " is not a Java home (a folder with bin/java and a release"
                        + " file of Java 17 or later): set it to one, or unset it to run the server on the Java that"
                        + " runs the launcher");
        Path java8 = home("java-8", "1.8.0_402", ARCH, "Hotspot");
        assertThatThrownBy(() -> ServerJava.choose(Map.of("TRACKSTACK_JAVA", java8.toString()), current, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldLookWhereJavasAreKeptWithJavaHomeFirst() throws Exception {
        Path sdkman = Files.createDirectories(jvms.resolve("home/.sdkman/candidates/java/25.0.1-tem"));
        List<Path> installed = ServerJava.installed(Map.of("JAVA_HOME", "/opt/jdk", "HOME", jvms.resolve("home")
                .toString()));
        assertThat(installed.get(0)).isEqualTo(Path.of("/opt/jdk"));
        assertThat(installed).contains(sdkman);
    }

    private ServerJava javaAt(String name, String version, String arch, String variant) throws Exception {
        return ServerJava.at(home(name, version, arch, variant)).orElseThrow();
    }

    /** A Java home as a JDK lays it out: a release file and an executable bin/java. */
    private Path home(String name, String version, String arch, String variant) throws Exception {
        Path home = Files.createDirectories(jvms.resolve(name).resolve("bin")).getParent();
        Files.writeString(home.resolve("release"), """
                IMPLEMENTOR="Someone"
                JAVA_VERSION="%s"
                OS_ARCH="%s"
                OS_NAME="Linux"
                JVM_VARIANT="%s"
                """.formatted(version, arch, variant));
        Files.writeString(home.resolve("bin/java"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(home.resolve("bin/java"), PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }
}
