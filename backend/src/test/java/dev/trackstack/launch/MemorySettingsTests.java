package dev.trackstack.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class MemorySettingsTests {

    @Test
    void shouldSizeTheServerWithoutOptionsOfTheUsers() {
        assertThat(MemorySettings.jvmOptions(List.of("-Dtrackstack.data-dir=/data", "-XX:+UseCompressedOops")))
                .startsWith("-Xmx256m").noneMatch(o -> o.matches("-XX:[+-]Use\\w*GC"));
    }

    @Test
    void shouldLeaveTheHeapAndTheCollectorToTheUser() {
        for (String heap : List.of("-Xmx4g", "-XX:MaxHeapSize=4g", "-XX:MaxRAMPercentage=75", "-XX:MaxRAM=8g")) {
            assertThat(MemorySettings.jvmOptions(List.of(heap))).as(heap).noneMatch(o -> o.startsWith("-Xmx"))
                    .contains("-XX:TrimNativeHeapInterval=10000");
        }
        assertThat(MemorySettings.jvmOptions(List.of("-XX:TrimNativeHeapInterval=0")))
                .noneMatch(o -> o.startsWith("-XX:TrimNativeHeapInterval"));
    }

    @Test
    void shouldAddOnlyFlagsThisJavaKnows() {
        assertThat(MemorySettings.known("-XX:+UseSerialGC")).isTrue();
        assertThat(MemorySettings.known("-XX:MaxHeapFreeRatio=70")).isTrue();
        assertThat(MemorySettings.known("-Xmx1g")).isTrue();
        assertThat(MemorySettings.known("-XX:+UseNoSuchCollector")).isFalse();
        assertThat(MemorySettings.jvmOptions(List.of())).allMatch(MemorySettings::known);
    }

    @Test
    void shouldKeepTheUsersMallocArenas() {
        Map<String, String> environment = new HashMap<>(Map.of("HOME", "/home/ada"));
        MemorySettings.addTo(environment);
        assertThat(environment).containsEntry("MALLOC_ARENA_MAX", "2");

        Map<String, String> users = new HashMap<>(Map.of("MALLOC_ARENA_MAX", "8"));
        MemorySettings.addTo(users);
        assertThat(users).containsEntry("MALLOC_ARENA_MAX", "8");
    }
}
