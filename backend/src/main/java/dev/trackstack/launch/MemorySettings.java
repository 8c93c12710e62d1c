package dev.trackstack.launch;

import java.lang.management.ManagementFactory;
import java.lang.management.PlatformManagedObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;


/**
 * The server JVM's memory settings, which the launcher gives it unless the user set their own (a JVM option of the
 * same kind on the command line, in JAVA_TOOL_OPTIONS or JDK_JAVA_OPTIONS; an environment variable already set):
 * Java's defaults size the heap at a quarter of the machine's memory and let glibc keep up to eight malloc arenas per
 * core, which made the server hold 1 GB after ingest with live subscribers where it needs about 530 MB (see
 * docs/performance.md, "Memory").
 */
final class MemorySettings {

    /** A JVM option of ours, left out when the user gave an option of its kind. */
    private record Setting(String option, Predicate<String> ofItsKind) {

        Setting(String option, String... prefixes) {
            this(option, o -> Arrays.stream(prefixes).anyMatch(o::startsWith));
        }
    }

    private static final List<Setting> SETTINGS = List.of(
            // Not smaller, nor the serial collector: at 128 MB its full collections every few seconds held live
            // subscribers 150 ms behind (p95), and 5 s across two instances (docs/performance.md, "Memory").
            new Setting("-Xmx256m", "-Xmx", "-XX:MaxHeapSize=", "-XX:MaxRAM"),
            // Java 17.0.9 and later: malloc's free memory back to the system every 10 s, as after a burst of JIT work.
            new Setting("-XX:TrimNativeHeapInterval=10000", "-XX:TrimNativeHeapInterval="));

    /** Environment variables of ours, unless set: two malloc arenas instead of up to eight per core. */
    private static final Map<String, String> ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2");

    private MemorySettings() {
    }

    /** Our JVM options that none of the user's options overrides, to go before them. */
    static List<String> jvmOptions(List<String> userOptions) {
        List<String> options = new ArrayList<>();
        for (Setting setting : SETTINGS) {
            if (known(setting.option()) && userOptions.stream().noneMatch(setting.ofItsKind())) {
                options.add(setting.option());
            }
        }
        return options;
    }

    /**
     * Whether this Java has the -XX flag of the option (the server's Java is this one or a newer one, which has our
     * flags too); -X options every Java has.
     */
    static boolean known(String option) {
        if (!option.startsWith("-XX:")) {
            return true;
        }
        String flag = option.substring(4).replaceFirst("^[+-]", "").replaceFirst("=.*", "");
        try {
            // HotSpotDiagnosticMXBean by name, from the platform class loader: in the launcher, Spring Boot's class
            // loader, which loads this class, would first look for its package in every nested jar (0.3 s or more).
            Class<? extends PlatformManagedObject> diagnostics = Class.forName(
                    "com.sun.management.HotSpotDiagnosticMXBean", true, ClassLoader.getPlatformClassLoader())
                    .asSubclass(PlatformManagedObject.class);
            diagnostics.getMethod("getVMOption", String.class)
                    .invoke(ManagementFactory.getPlatformMXBean(diagnostics), flag);
            return true;
        } catch (ReflectiveOperationException | IllegalArgumentException unknown) {
            return false;  // the flag (an IllegalArgumentException, wrapped) or the bean (not HotSpot)
        }
    }

    /** Adds our environment variables that are not set already. */
    static void addTo(Map<String, String> environment) {
        ENVIRONMENT.forEach(environment::putIfAbsent);
    }
}
