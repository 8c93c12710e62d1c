package dev.trackstack.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import dev.trackstack.ApiTest;
import dev.trackstack.DatabaseStatistics;
import org.junit.jupiter.api.Test;

/** What one read may make the server hold: the points of all its series fields, before any is read. */
class ReadBudgetTests extends ApiTest {

    @Test
    void shouldRefuseTheAliasesOfAReadBeyondThePointsPerRequestBeforeReadingAnyPointAndStayHealthy() throws Exception {
        String run = createRun();
        for (int series = 0; series < 20; series++) {
            List<Map<String, Object>> points = new ArrayList<>();
            for (int step = 0; step < 10_000; step++) {
                points.add(point("metric" + series, null, step, Math.sin(step)));
            }
            logMetrics(run, points, null).path("logMetrics.accepted").entity(Integer.class).isEqualTo(10_000);
        }
        // 120 aliases of 20 series × 10,000 points: 24,000,000 points, which ran the server out of memory
        StringBuilder bomb = new StringBuilder("{");
        for (int i = 0; i < 120; i++) {
            bomb.append(" a").append(i).append(": series(runIds: [\\\"").append(run)
                    .append("\\\"], maxPoints: 10000) { steps values mins maxes counts times }");
        }
        long rowsBefore = DatabaseStatistics.settled(this::pointRowsRead);
        HttpResponse<String> answer = postGraphQl(port, "{\"query\": \"" + bomb.append(" }") + "\"}");

        assertThat(answer.statusCode()).isEqualTo(200);
        // The first five aliases take the budget of 1,000,000 points (less on a heap under 2 GB, where
        // points-in-flight is smaller), the others are refused; then no alias reads, all answer the refusal. Since
        // series is non-null, the refusals null the whole answer: no data is sent.
        assertThat(Pattern.compile("\"code\":\"LIMIT_EXCEEDED\"").matcher(answer.body()).results().count())
                .isEqualTo(120);
        assertThat(answer.body()).containsPattern("exceeds the limit of \\d+ \\(trackstack.limits.points-");
        assertThat(answer.body()).contains("\"data\":null").doesNotContain("\"steps\"");
        // No point was read: a read of all 200,000 points after the bomb is all that PostgreSQL counts (each point
        // at most twice: counted, then read). Its statistics arrive late (each connection sends them at most once a
        // second), so they are awaited. The five aliases within the budget would have read 1,000,000 points more,
        // had they read before the refusal: when they did, this counted 2,300,240 rows.
        graphQl.documentName("seriesSteps").variable("runIds", List.of(run)).variable("maxPoints", 10_000).execute()
                .path("series[*].steps[*]").entityList(Long.class).hasSize(200_000);
        await().atMost(Duration.ofSeconds(30)).until(() -> pointRowsRead() - rowsBefore >= 200_000);
        Thread.sleep(2000);  // for any statistics still on their way
        assertThat(pointRowsRead() - rowsBefore).isLessThan(1_000_000);

        HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/actuator/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        graphQl.documentName("series").variable("runIds", List.of(run)).variable("names", List.of("metric0"))
                .variable("maxPoints", 100).execute().path("series[0].points").entityList(Object.class).hasSize(100);
    }

    /**
     * The rows of points that PostgreSQL read, as its statistics tell so far (settled before the bomb: earlier
     * tests' reads, 4.1 M rows once, must not be counted as this test's).
     */
    private long pointRowsRead() {
        return jdbc.queryForObject("select coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0)"
                + " from pg_stat_user_tables where relname like 'metric_point%'", Long.class);
    }
}
