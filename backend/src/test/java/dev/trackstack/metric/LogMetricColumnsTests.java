package dev.trackstack.metric;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Year;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.GraphQlTester;

/** logMetrics' column form: what it stores is exactly what the same points store as objects. */
class LogMetricColumnsTests extends ApiTest {

    private static final String YEAR_AGO = "2025-12-04T10:15:30.123456Z";
    private static final String TODAY = "2026-12-04T00:00:00Z";

    @Test
    void shouldStoreExactlyWhatTheObjectFormStores() {
        List<Map<String, Object>> points = new ArrayList<>();
        Object[] values = {3.0, "NaN", "Infinity", "-Infinity", 2, -0.5};
        for (int step = 0; step < values.length; step++) {
            Map<String, Object> point = point("loss", "train", step, values[step]);
            point.put("time", step % 2 == 0 ? YEAR_AGO : TODAY);
            points.add(point);
        }
        points.add(timed(point("loss", "train", 2, 9.0)));  // a step given twice: the first one is stored
        points.add(timed(point("lr", null, 0, 1e-4)));
        points.add(timed(point("lr", "", 1, 2e-4)));  // an empty split is no split
        String byPoints = createRun();
        String byColumns = createRun();

        logMetrics(byPoints, points, null)
                .path("logMetrics.accepted").entity(Integer.class).isEqualTo(8)
                .path("logMetrics.duplicates").entity(Integer.class).isEqualTo(1);
        logColumns(byColumns, columnsOf(points), null)
                .path("logMetrics.accepted").entity(Integer.class).isEqualTo(8)
                .path("logMetrics.duplicates").entity(Integer.class).isEqualTo(1);

        assertThat(stored(byColumns)).isEqualTo(stored(byPoints)).contains("2025-12-04 10:15:30.123456");
        assertThat(summaries(byColumns)).isEqualTo(summaries(byPoints));
        assertThat(jdbc.queryForList("select p.ts::text from metric_point p join metric_series s on s.id = p.series_id "
                + "where s.run_id = ? and p.step = 0 and s.name = 'loss'", Object.class, Long.parseLong(byColumns))
                .toString()).contains(".123456");
    }

    @Test
    void shouldIgnoreARetriedBatchIdAndCountStoredStepsAsDuplicates() {
        String run = createRun();
        List<Map<String, Object>> columns = List.of(column("loss", null, new long[] {0, 1}, 1.0, 0.9));
        logColumns(run, columns, "batch-1").path("logMetrics.accepted").entity(Integer.class).isEqualTo(2);

        logColumns(run, columns, "batch-1")
                .path("logMetrics.accepted").entity(Integer.class).isEqualTo(0)
                .path("logMetrics.duplicates").entity(Integer.class).isEqualTo(2);
        logColumns(run, List.of(column("loss", null, new long[] {1, 2}, 5.0, 0.8)), "batch-2")
                .path("logMetrics.accepted").entity(Integer.class).isEqualTo(1)
                .path("logMetrics.duplicates").entity(Integer.class).isEqualTo(1);
        assertThat(pointCount(run)).isEqualTo(3);
    }

    @Test
    void shouldStoreABatchOfAThousandSeries() {
        String run = createRun();
        List<Map<String, Object>> columns = new ArrayList<>();
        for (int s = 0; s < 1000; s++) {
            columns.add(column("metric/" + s, s % 2 == 0 ? "train" : null, new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
                    0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, s));
        }
        logColumns(run, columns, "wide").path("logMetrics.accepted").entity(Integer.class).isEqualTo(10_000);

        assertThat(jdbc.queryForObject("select count(*) from metric_series where run_id = ?", Long.class,
                Long.parseLong(run))).isEqualTo(1000);
        graphQl.documentName("series").variable("runIds", List.of(run)).variable("names", List.of("metric/999"))
                .execute().path("series[0].points[9].value").entity(Double.class).isEqualTo(999.0);
    }

    @Test
    void shouldRefuseMoreThanTheLimitAcrossAllColumnsAndWriteNothing() {
        String run = createRun();
        long[] steps = new long[5001];
        double[] values = new double[5001];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = i;
        }
        List<Map<String, Object>> columns = List.of(column("a", null, steps, values), column("b", null, steps, values));
        assertThat(errorCode(logColumns(run, columns, null), "LIMIT_EXCEEDED")).contains("10002", "10000");
        assertThat(pointCount(run)).isZero();
    }

    @Test
    void shouldRefuseBadColumnsNamingTheElementAndWriteNothing() {
        String run = createRun();
        Map<String, Object> good = column("loss", null, new long[] {0, 1}, 1.0, 2.0);
        assertThat(errorCode(logColumns(run, List.of(good, column("acc", null, new long[] {0, -1}, 1.0, 2.0)), "b"),
                "BAD_USER_INPUT")).contains("columns[1].steps[1]", "got -1");
        assertThat(errorCode(logColumns(run, List.of(column("acc", null, new long[] {0, 1}, 1.0)), "b"),
                "BAD_USER_INPUT")).contains("columns[0].values has 1 elements where steps has 2");
        Map<String, Object> shortTimes = column("acc", null, new long[] {0, 1}, 1.0, 2.0);
        shortTimes.put("times", List.of(YEAR_AGO));
        assertThat(errorCode(logColumns(run, List.of(shortTimes), "b"), "BAD_USER_INPUT"))
                .contains("columns[0].times has 1 elements");
        Map<String, Object> farTime = column("acc", null, new long[] {0}, 1.0);
        farTime.put("times", List.of("+10000-01-01T00:00:00Z"));
        assertThat(errorCode(logColumns(run, List.of(farTime), "b"), "BAD_USER_INPUT"))
                .contains("columns[0].times[0]", "0001 to 9999");
        assertThat(errorCode(logColumns(run, List.of(column(" ", null, new long[] {0}, 1.0)), "b"),
                "BAD_USER_INPUT")).contains("columns[0].name");
        Map<String, Object> nullValue = column("acc", null, new long[] {0, 1}, 1.0, 2.0);
        nullValue.put("values", Arrays.asList(1.0, null));
        assertThat(errorCode(logColumns(run, List.of(nullValue), "b"), "BAD_USER_INPUT"))
                .contains("MetricValueList[1] is null");
        Map<String, Object> fraction = column("acc", null, new long[] {0}, 1.0);
        fraction.put("steps", List.of(1.5));
        assertThat(errorCode(logColumns(run, List.of(fraction), "b"), "BAD_USER_INPUT")).contains("LongList[0]");
        Map<String, Object> word = column("acc", null, new long[] {0}, 1.0);
        word.put("values", List.of("high"));
        assertThat(errorCode(logColumns(run, List.of(word), "b"), "BAD_USER_INPUT")).contains("MetricValue");

        assertThat(pointCount(run)).isZero();
        // None of the refused calls used up the batch id.
        logColumns(run, List.of(good), "b").path("logMetrics.accepted").entity(Integer.class).isEqualTo(2);
    }

    @Test
    void shouldRefusePointsAndColumnsInOneCall() throws Exception {
        String run = createRun();
        String body = """
                {"query": "mutation($p: [MetricPointInput!]!, $c: [MetricColumnsInput!]) { logMetrics(runId: \\"%s\\", \
                points: $p, columns: $c) { accepted } }", "variables": {"p": [{"name": "a", "step": 0, "value": 1}], \
                "c": [{"name": "b", "steps": [0], "values": [1]}]}}""".formatted(run);
        assertThat(postGraphQl(port, body).body()).contains("BAD_USER_INPUT", "not both");
        assertThat(pointCount(run)).isZero();
    }

    @Test
    void shouldTakeColumnsWrittenInTheQueryText() throws Exception {
        String run = createRun();
        String body = """
                {"query": "mutation { logMetrics(runId: \\"%s\\", columns: [{name: \\"loss\\", steps: [0, 1, 2], \
                values: [0.5, \\"NaN\\", 3], times: [\\"%s\\", \\"%s\\", \\"%s\\"]}]) { accepted } }"}"""
                .formatted(run, YEAR_AGO, YEAR_AGO, YEAR_AGO);
        assertThat(postGraphQl(port, body).body()).isEqualTo("{\"data\":{\"logMetrics\":{\"accepted\":3}}}");
        graphQl.documentName("series").variable("runIds", List.of(run)).execute()
                .path("series[0].points[*].value").entityList(Object.class).containsExactly(0.5, "NaN", 3.0);
    }

    @Test
    void shouldStampTheArrivalTimeWhenTimesAreLeftOut() {
        String run = createRun();
        logColumns(run, List.of(column("loss", null, new long[] {0}, 1.0)), null);
        graphQl.documentName("series").variable("runIds", List.of(run)).execute()
                .path("series[0].points[0].time").entity(String.class)
                .satisfies(time -> assertThat(time).startsWith(String.valueOf(Year.now().getValue())));
    }

    private static Map<String, Object> timed(Map<String, Object> point) {
        point.put("time", TODAY);
        return point;
    }

    private GraphQlTester.Response logColumns(String runId, List<Map<String, Object>> columns, String batchId) {
        return graphQl.documentName("logMetricColumns").variable("runId", runId).variable("columns", columns)
                .variable("batchId", batchId).execute();
    }

    private static Map<String, Object> column(String name, String split, long[] steps, double... values) {
        Map<String, Object> column = new HashMap<>();
        column.put("name", name);
        column.put("split", split);
        column.put("steps", steps);
        column.put("values", values);
        return column;
    }

    /** The same points, a column per series in order of first appearance; times given where any point has one. */
    private static List<Map<String, Object>> columnsOf(List<Map<String, Object>> points) {
        Map<List<Object>, Map<String, Object>> columns = new LinkedHashMap<>();
        for (Map<String, Object> point : points) {
            Map<String, Object> column = columns.computeIfAbsent(Arrays.asList(point.get("name"),
                    point.get("split")), key -> {
                        Map<String, Object> c = new HashMap<>();
                        c.put("name", point.get("name"));
                        c.put("split", point.get("split"));
                        c.put("steps", new ArrayList<>());
                        c.put("values", new ArrayList<>());
                        c.put("times", new ArrayList<>());
                        return c;
                    });
            add(column, "steps", point.get("step"));
            add(column, "values", point.get("value"));
            add(column, "times", point.get("time"));
        }
        return List.copyOf(columns.values());
    }

    @SuppressWarnings("unchecked")
    private static void add(Map<String, Object> column, String field, Object value) {
        ((List<Object>) column.get(field)).add(value);
    }

    private String stored(String run) {
        return jdbc.queryForList("""
                select s.name, s.split, p.step, p.value::text, p.ts::text from metric_point p
                join metric_series s on s.id = p.series_id where s.run_id = ? order by s.name, p.step
                """, Long.parseLong(run)).toString();
    }

    private String summaries(String run) {
        return graphQl.documentName("run").variable("id", run).execute().path("run.summaries").entity(Object.class)
                .get().toString();
    }
}
