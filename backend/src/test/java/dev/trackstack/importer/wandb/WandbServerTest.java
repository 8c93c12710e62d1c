package dev.trackstack.importer.wandb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.trackstack.importer.ImportException;
import dev.trackstack.importer.ImportSource;
import dev.trackstack.importer.ImportedRun;
import dev.trackstack.metric.MetricPointInput;
import dev.trackstack.run.RunStatus;

/** WandbReader on a W&B server (its stand-in): runs, history and system metrics through the GraphQL API. */
class WandbServerTest {

    static final String KEY = "0123456789abcdef0123456789abcdef01234567";
    static final Instant START = Instant.parse("2026-03-01T10:00:00Z");
    /** Steps of the failed run: three history pages of the reader's 1,000 steps. */
    static final int LONG_STEPS = 2_500;

    /** Two runs as a W&B server holds them: one finished with config, history and system metrics; one failed. */
    static WandbServerStandIn standIn(String project) throws IOException {
        WandbServerStandIn server = new WandbServerStandIn("team", project, KEY);
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("name", "abc123");
        first.put("displayName", "first");
        first.put("state", "finished");
        first.put("config", WandbValues.JSON.writeValueAsString(Map.of(
                "lr", Map.of("value", 0.01, "desc", "learning rate"),
                "layers", Map.of("value", List.of(64, 32)),
                "_wandb", Map.of("value", Map.of("cli_version", "0.21.0")))));
        first.put("summaryMetrics", WandbValues.JSON.writeValueAsString(Map.of("loss", 0.25, "best_acc", 0.95,
                "_step", 2, "_wandb", Map.of("runtime", 6))));
        first.put("tags", List.of("baseline", "gpu"));
        first.put("notes", "from W&B");
        first.put("group", null);
        first.put("jobType", null);
        first.put("sweepName", null);
        first.put("createdAt", "2026-03-01T10:00:00");
        first.put("heartbeatAt", "2026-03-01T10:00:06");
        server.runs.add(new WandbServerStandIn.Run(first, List.of(
                Map.of("_step", 0, "_timestamp", 1772359201.5, "_runtime", 1.5, "loss", 1.0, "val",
                        Map.of("acc", 0.5)),
                Map.of("_step", 1, "_timestamp", 1772359202.0, "_runtime", 2, "loss", 0.5, "caption", "a"),
                Map.of("_step", 2, "_timestamp", 1772359203.0, "_runtime", 3, "loss", 0.25, "val",
                        Map.of("acc", 0.75))),
                List.of(Map.of("_wandb", true, "_timestamp", 1772359202.25, "_runtime", 2.25,
                        "system.memory_percent", 50.5, "system.proc.memory.rssMB", 100, "system.gpu.0.gpu", 30,
                        "system.cpu", 12.5),
                        Map.of("_wandb", true, "_timestamp", 1772359204.0, "_runtime", 4,
                                "system.memory_percent", 51, "system.disk./.usagePercent", 40))));
        Map<String, Object> second = new LinkedHashMap<>();
        second.put("name", "def456");
        second.put("displayName", "second");
        second.put("state", "failed");
        second.put("config", "{}");
        second.put("summaryMetrics", "{\"loss\": 0.0004}");
        second.put("tags", List.of());
        second.put("notes", null);
        second.put("group", "g1");
        second.put("createdAt", "2026-03-01T11:00:00Z");
        second.put("heartbeatAt", "2026-03-01T11:10:00Z");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int step = 0; step < LONG_STEPS; step++) {
            rows.add(Map.of("_step", step, "_timestamp", 1772362800.0 + step, "loss", 1.0 / (step + 1)));
        }
        server.runs.add(new WandbServerStandIn.Run(second, rows, List.of()));
        return server;
    }

    @Test
    void readsTheRunsOfAProjectWithEveryPoint() throws IOException {
        CollectingSink sink = new CollectingSink();
        try (WandbServerStandIn server = standIn("vision")) {
            new WandbReader().read(new ImportSource(server.url(), KEY), sink);
            assertThat(server.requests).containsEntry("Runs", 2).containsEntry("HistoryPage", 1 + 3)
                    .containsEntry("RunFullHistory", 2);
        }

        assertThat(sink.runs.keySet()).containsExactly("abc123", "def456");
        CollectingSink.Collected first = sink.runs.get("abc123");
        assertThat(first.run).isEqualTo(new ImportedRun("abc123", "vision", "first",
                Map.of("lr", 0.01, "layers", List.of(64, 32)), List.of("baseline", "gpu"), "from W&B", START));
        assertThat(first.status).isEqualTo(RunStatus.COMPLETED);
        assertThat(first.endedAt).isEqualTo(START.plusSeconds(6));
        long sample1 = START.getEpochSecond() + 2;
        long sample2 = START.getEpochSecond() + 4;
        assertThat(first.points).containsExactlyInAnyOrder(
                point("loss", 0, 1.0, START.plusMillis(1500)),
                point("val.acc", 0, 0.5, START.plusMillis(1500)),
                point("loss", 1, 0.5, START.plusSeconds(2)),
                point("loss", 2, 0.25, START.plusSeconds(3)),
                point("val.acc", 2, 0.75, START.plusSeconds(3)),
                point("sys/memory_percent", sample1, 50.5, START.plusMillis(2250)),
                point("sys/process_memory_rss_bytes", sample1, 100 * 1024 * 1024, START.plusMillis(2250)),
                point("sys/gpu.0.utilization_percent", sample1, 30, START.plusMillis(2250)),
                point("system/cpu", sample1, 12.5, START.plusMillis(2250)),
                point("sys/memory_percent", sample2, 51, START.plusSeconds(4)),
                point("system/disk./.usagePercent", sample2, 40, START.plusSeconds(4)));

        CollectingSink.Collected second = sink.runs.get("def456");
        assertThat(second.run).isEqualTo(new ImportedRun("def456", "vision", "second", Map.of(), List.of(), null,
                START.plusSeconds(3600)));
        assertThat(second.status).isEqualTo(RunStatus.FAILED);
        assertThat(second.endedAt).isEqualTo(START.plusSeconds(4200));
        List<MetricPointInput> expected = new ArrayList<>();
        for (int step = 0; step < LONG_STEPS; step++) {
            expected.add(point("loss", step, 1.0 / (step + 1), START.plusSeconds(3600 + step)));
        }
        assertThat(second.points).isEqualTo(expected);

        assertThat(sink.unmapped).containsExactly(
                "run abc123: config \"_wandb\" (W&B's own settings and telemetry) not imported",
                "run abc123: history \"caption\": 1 string value not imported",
                "run abc123: summary \"best_acc\" = 0.95 (not in its history)",
                "run def456: group \"g1\" not imported",
                "127.0.0.1: console output, files, media and artifacts are not read from a W&B server");
    }

    @Test
    void readsOneRunByItsId() throws IOException {
        CollectingSink sink = new CollectingSink();
        try (WandbServerStandIn server = standIn("vision")) {
            new WandbReader().read(new ImportSource(server.url() + "/abc123", KEY), sink);
            assertThat(server.requests).containsEntry("Run", 1).doesNotContainKey("Runs");
        }
        assertThat(sink.runs.keySet()).containsExactly("abc123");
        assertThat(sink.runs.get("abc123").points).hasSize(11);
    }

    @Test
    void aRunningRunIsLeftRunningAndReported() throws IOException {
        CollectingSink sink = new CollectingSink();
        try (WandbServerStandIn server = standIn("vision")) {
            server.runs.get(0).node().put("state", "running");
            new WandbReader().read(new ImportSource(server.url() + "/abc123", KEY), sink);
        }
        assertThat(sink.runs.get("abc123").status).isNull();
        assertThat(sink.runs.get("abc123").points).hasSize(11);
        assertThat(sink.unmapped).contains("run abc123: state \"running\" on the server, left RUNNING");
    }

    @Test
    void aRefusedKeyImportsNothing() throws IOException {
        CollectingSink sink = new CollectingSink();
        try (WandbServerStandIn server = standIn("vision")) {
            assertThatThrownBy(() -> new WandbReader().read(new ImportSource(server.url(), "wrong"), sink))
                    .isInstanceOf(ImportException.class)
                    .hasMessage("The W&B key was refused by 127.0.0.1 (HTTP 401).");
            assertThatThrownBy(() -> new WandbReader().read(new ImportSource(server.url(), null), sink))
                    .isInstanceOf(ImportException.class)
                    .hasMessage("A W&B server import needs a W&B API key as apiKey (see <host>/authorize).");
            assertThatThrownBy(() -> new WandbReader().read(new ImportSource(server.url().replace("/vision",
                    "/other"), KEY), sink)).isInstanceOf(ImportException.class)
                    .hasMessage("There is no project team/other on 127.0.0.1 that the key can read.");
        }
        assertThat(sink.runs).isEmpty();
    }

    @Test
    void anUnreachableServerIsOneSentence() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        assertThatThrownBy(() -> new WandbReader().read(new ImportSource("http://127.0.0.1:" + port + "/team/vision",
                KEY), new CollectingSink())).isInstanceOf(ImportException.class)
                .hasMessageStartingWith("Cannot reach the W&B server at http://127.0.0.1:" + port);
        assertThatThrownBy(() -> new WandbReader().read(new ImportSource("https://api.wandb.ai/team", KEY),
                new CollectingSink())).isInstanceOf(ImportException.class)
                .hasMessageStartingWith("https://api.wandb.ai/team is not a W&B project: give");
    }

    private static MetricPointInput point(String name, long step, double value, Instant time) {
        return new MetricPointInput(name, null, step, value, time.atOffset(ZoneOffset.UTC));
    }
}
