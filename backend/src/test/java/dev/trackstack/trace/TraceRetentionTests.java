package dev.trackstack.trace;

import static dev.trackstack.trace.Otlp.PROTOBUF;
import static dev.trackstack.trace.Otlp.request;
import static dev.trackstack.trace.Otlp.span;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/** Retention: spans older than the setting go, and the traces they were in are summarised again or go too. */
class TraceRetentionTests extends ApiTest {

    private static final long DAY_MS = 24 * 3600 * 1000;

    /** Both spans 60 days before T0. */
    private static final String OLD = "11111111111111111111111111111111";
    /** Its root 60 days before T0, its child at T0. */
    private static final String HALF = "22222222222222222222222222222222";
    /** At T0. */
    private static final String NEW = "33333333333333333333333333333333";

    @Autowired
    private TraceSummaries summaries;

    private TraceRetention retention(Duration retention) {
        return new TraceRetention(summaries, new TracingProperties(16777216, 1048576, 16, 4, retention));
    }

    @Test
    void shouldDeleteSpansPastTheRetentionAndSummariseWhatIsLeft() throws Exception {
        var request = request(List.of(),
                span(OLD, "1000000000000001", null, "old", -60 * DAY_MS, 10),
                span(OLD, "1000000000000002", "1000000000000001", "old child", -60 * DAY_MS, 5),
                span(HALF, "2000000000000001", null, "half root", -60 * DAY_MS, 10),
                span(HALF, "2000000000000002", "2000000000000001", "half child", 0, 5),
                span(NEW, "3000000000000001", null, "new", 0, 10));
        assertThat(Otlp.post(port, "/v1/traces", PROTOBUF, request.toByteArray(), IncomingSpans.PROJECT_HEADER,
                project).statusCode()).isEqualTo(200);

        int deleted = retention(Duration.ofDays(30)).expire(Instant.ofEpochSecond(0, Otlp.T0));

        assertThat(deleted).isGreaterThanOrEqualTo(3);
        assertThat(jdbc.queryForList("select s.name from span s join project p on p.id = s.project_id "
                + "where p.name = ? order by s.name", String.class, project)).containsExactly("half child", "new");
        assertThat(graphQl.documentName("traces").variable("project", project).execute()
                .path("traces.edges[*].node").entityList(Map.class).get())
                .extracting(trace -> trace.get("id") + " " + trace.get("name") + " " + trace.get("spanCount"))
                .containsExactlyInAnyOrder(HALF + " half child 1", NEW + " new 1");
        assertThat(jdbc.queryForObject("select count(*) from trace_summary t join project p on p.id = t.project_id "
                + "where p.name = ?", Integer.class, project)).isEqualTo(2);
    }

    @Test
    void shouldScheduleTheJobOnlyWithARetention() {
        ScheduledTaskRegistrar without = new ScheduledTaskRegistrar();
        retention(null).configureTasks(without);
        assertThat(without.getFixedRateTaskList()).isEmpty();

        ScheduledTaskRegistrar with = new ScheduledTaskRegistrar();
        retention(Duration.ofDays(30)).configureTasks(with);
        assertThat(with.getFixedRateTaskList()).singleElement()
                .satisfies(task -> assertThat(task.getIntervalDuration()).isEqualTo(Duration.ofHours(1)));
    }
}
