package dev.trackstack.launch;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Java that runs the server: {@code TRACKSTACK_JAVA} (a Java home) when set; else the newest HotSpot Java of
 * version 25 or later installed where JDKs are kept ({@code JAVA_HOME}, {@code /usr/lib/jvm}, macOS's and SDKMAN!'s
 * folders), when it is newer than the launcher's own; else the launcher's own. From Java 25 the server starts from an
 * AOT cache of its first run (classes loaded and linked: JEPs 483 and 514), a later start 3.4-3.6 s against 4.1-4.4 s
 * on Java 17's class archive (docs/performance.md, "Start-up", session 25).
 */
record ServerJava(Path home, Runtime.Version version, String release) {

    /** The first Java whose AOT cache can be written in one step, by the run that trains it. */
    static final int AOT_CACHE = 25;

    private static final String RELEASE = "release";

    Path java() {
        return home.resolve("bin").resolve("java");
    }

    boolean aotCache() {
        return version.feature() >= AOT_CACHE;
    }

    /** The Java this launcher runs on. */
    static ServerJava current() {
        Path home = Path.of(System.getProperty("java.home"));
        String release = readRelease(home).orElse("JAVA_RUNTIME_VERSION=\"" + Runtime.version() + "\"");
        return new ServerJava(home, Runtime.version(), release);
    }

    static ServerJava choose(Map<String, String> environment, ServerJava current, List<Path> installed) {
        String chosen = environment.get("TRACKSTACK_JAVA");
        if (chosen != null && !chosen.isBlank()) {
            return at(Path.of(chosen)).orElseThrow(() -> new IllegalArgumentException("TRACKSTACK_JAVA=" + chosen
                    + " is not a Java home (a folder with bin/java and a release file of Java 17 or later): set it to"
                    + " one, or unset it to run the server on the Java that runs the launcher"));
        }
        return installed.stream().map(ServerJava::at).flatMap(Optional::stream)
                .filter(java -> java.aotCache() && java.version.feature() > current.version.feature() && java.hotSpot())
                .max(Comparator.comparing(ServerJava::version))
                .orElse(current);
    }

    /** Where Java homes are commonly kept, JAVA_HOME first. */
    static List<Path> installed(Map<String, String> environment) {
        List<Path> homes = new ArrayList<>();
        Optional.ofNullable(environment.get("JAVA_HOME")).filter(h -> !h.isBlank()).map(Path::of).ifPresent(homes::add);
        homes.addAll(children(Path.of("/usr/lib/jvm"), ""));
        homes.addAll(children(Path.of("/Library/Java/JavaVirtualMachines"), "Contents/Home"));
        Optional.ofNullable(environment.get("HOME"))
                .ifPresent(h -> homes.addAll(children(Path.of(h, ".sdkman", "candidates", "java"), "")));
        return homes;
    }

    private static List<Path> children(Path folder, String within) {
        List<Path> homes = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            entries.forEach(entry -> homes.add(entry.resolve(within)));
        } catch (IOException | SecurityException none) {
            // no such folder: nothing installed there
        }
        return homes;
    }

    /** The Java at this home, from its release file, if it is one of this machine's architecture and Java 17 or later. */
    static Optional<ServerJava> at(Path home) {
        Optional<String> release = readRelease(home);
        if (release.isEmpty() || !Files.isExecutable(home.resolve("bin").resolve("java"))) {
            return Optional.empty();
        }
        Map<String, String> fields = fields(release.get());
        String arch = fields.getOrDefault("OS_ARCH", "");
        if (!arch.isEmpty() && !normalArch(arch).equals(normalArch(System.getProperty("os.arch")))) {
            return Optional.empty();
        }
        try {
            Runtime.Version version = Runtime.Version.parse(fields.getOrDefault("JAVA_VERSION", ""));
            return version.feature() >= 17 ? Optional.of(new ServerJava(home, version, release.get())) : Optional.empty();
        } catch (IllegalArgumentException notAVersion) {
            return Optional.empty();  // 1.8.0_402, for example
        }
    }

    private boolean hotSpot() {
        return fields(release).getOrDefault("JVM_VARIANT", "Hotspot").equalsIgnoreCase("Hotspot");
    }

    private static Optional<String> readRelease(Path home) {
        try {
            return Optional.of(Files.readString(home.resolve(RELEASE)));
        } catch (IOException | SecurityException none) {
            return Optional.empty();
        }
    }

    /** The release file's KEY="value" lines. */
    private static Map<String, String> fields(String release) {
        Map<String, String> fields = new HashMap<>();
        for (String line : release.split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                fields.put(line.substring(0, equals).trim(), line.substring(equals + 1).trim().replace("\"", ""));
            }
        }
        return fields;
    }

    private static String normalArch(String arch) {
        return arch.equals("amd64") ? "x86_64" : arch;
    }
}
