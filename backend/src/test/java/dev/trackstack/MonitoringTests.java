package dev.trackstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.GraphQlTester;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The server's own metrics at /actuator/prometheus, scraped over HTTP as Prometheus does: what the meters count, who
 * may scrape, and that the Grafana dashboard asks only for metrics that exist. Tests run one at a time, so the
 * differences of this instance's counters are their own.
 */
class MonitoringTests extends ApiTest {

    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "trackstack-dashboard.json");
    /** A selector's metric name, followed by its labels (every selector of the dashboard has some); label_values'. */
    private static final Pattern METRIC = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)\\{|label_values\\(([a-zA-Z_:][a-zA-Z0-9_:]*)");

    @Test
    void shouldExposeEveryMeterWithItsUnitToAnybodyWhereNoTokenIsNeeded() throws Exception {
        HttpResponse<String> scrape = scrape(port, null);
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith("text/plain"));
        assertThat(names(scrape.body())).contains("trackstack_ingest_points_total",
                "trackstack_ingest_duplicate_points_total", "trackstack_ingest_calls_total",
                "trackstack_ingest_batch_size_points_bucket", "trackstack_ingest_batch_size_points_sum",
                "trackstack_ingest_wait_seconds_bucket", "trackstack_live_subscribers",
                "trackstack_live_dropped_events_total", "trackstack_live_cluster_lag_seconds_bucket",
                "trackstack_otlp_spans_total", "trackstack_database_restarts_total",
                // the connection pool's own meters
                "hikaricp_connections_active", "hikaricp_connections_pending", "hikaricp_connections_max",
                "hikaricp_connections_acquire_seconds_count");
        assertThat(scrape.body()).contains("# HELP trackstack_ingest_points_total Points stored by logMetrics",
                "trackstack_live_subscribers{stream=\"metricPoints\"}",
                "trackstack_live_dropped_events_total{reason=\"late\"}",
                "trackstack_otlp_spans_total{outcome=\"rejected\"}", "pool=\"embedded\"");
        // requests are timed once, as http_server_requests, not again per security filter
        assertThat(names(scrape.body())).contains("http_server_requests_seconds_count")
                .noneMatch(name -> name.startsWith("spring_security"));
    }

    @Test
    void shouldCountThePointsOfLogMetricsAndTheDuplicatesOfABatchSentAgain() throws Exception {
        String run = createRun();
        List<Map<String, Object>> points = LongStream.range(0, 7)
                .mapToObj(step -> point("loss", "train", step, 1.0 / (step + 1))).toList();
        String before = scrape(port, null).body();

        logMetrics(run, points, "batch-1").path("logMetrics.accepted").entity(Integer.class).isEqualTo(7);
        String once = scrape(port, null).body();
        assertThat(difference(before, once, "trackstack_ingest_points_total")).isEqualTo(7);
        assertThat(difference(before, once, "trackstack_ingest_calls_total", "outcome=\"success\"")).isEqualTo(1);
        assertThat(difference(before, once, "trackstack_ingest_batch_size_points_count")).isEqualTo(1);
        assertThat(difference(before, once, "trackstack_ingest_batch_size_points_sum")).isEqualTo(7);
        assertThat(difference(before, once, "trackstack_ingest_wait_seconds_count")).isEqualTo(1);
        assertThat(difference(before, once, "trackstack_ingest_duplicate_points_total")).isZero();

        logMetrics(run, points, "batch-1").path("logMetrics.duplicates").entity(Integer.class).isEqualTo(7);
        // the steps again without the batch id: each is skipped as already stored
        logMetrics(run, points.subList(0, 3), null).path("logMetrics.duplicates").entity(Integer.class).isEqualTo(3);
        String again = scrape(port, null).body();
        assertThat(difference(once, again, "trackstack_ingest_points_total")).isZero();
        assertThat(difference(once, again, "trackstack_ingest_duplicate_points_total")).isEqualTo(10);
        assertThat(difference(once, again, "trackstack_ingest_calls_total", "outcome=\"success\"")).isEqualTo(2);

        errorCode(logMetrics("999999999", points, null), "NOT_FOUND");
        String failed = scrape(port, null).body();
        assertThat(difference(again, failed, "trackstack_ingest_calls_total", "outcome=\"error\"")).isEqualTo(1);
        assertThat(difference(again, failed, "trackstack_ingest_points_total")).isZero();
    }

    @Test
    void shouldTimeSeriesReadsByTheResolutionServed() throws Exception {
        String run = createRun();
        logMetrics(run, LongStream.range(0, 100).mapToObj(step -> point("loss", null, step, step)).toList(), null);
        String before = scrape(port, null).body();

        readSeries(run, 1000).path("series[0].resolution").entity(String.class).isEqualTo("raw");
        // 100 steps in at most 10 buckets: 10 steps wide, served by the rollup of 8 steps
        readSeries(run, 10).path("series[0].resolution").entity(String.class).isEqualTo("rollup-8:10");
        String after = scrape(port, null).body();
        assertThat(difference(before, after, "trackstack_series_read_seconds_count", "resolution=\"raw\""))
                .isEqualTo(1);
        assertThat(difference(before, after, "trackstack_series_read_seconds_count", "resolution=\"rollup-8\""))
                .isEqualTo(1);
        assertThat(difference(before, after, "trackstack_series_read_seconds_sum", "resolution=\"raw\""))
                .isPositive();
        assertThat(after).doesNotContain("resolution=\"rollup-8:10\"");
    }

    @Test
    void shouldCountOtlpSpansAcceptedAndRejected() throws Exception {
        String before = scrape(port, null).body();
        // the second span ends before it starts, which OTLP's partial success rejects on its own
        String spans = """
                {"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{"spans": [
                  {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "name": "ok",
                   "startTimeUnixNano": "1796119200000000000", "endTimeUnixNano": "1796119201000000000"},
                  {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b175", "name": "backwards",
                   "startTimeUnixNano": "1796119201000000000", "endTimeUnixNano": "1796119200000000000"}]}]}]}
                """;
        HttpResponse<String> sent = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/v1/traces"))
                .header("Content-Type", "application/json").header("X-Trackstack-Project", project)
                .POST(HttpRequest.BodyPublishers.ofString(spans)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(sent.statusCode()).isEqualTo(200);
        assertThat(sent.body()).contains("\"rejectedSpans\":\"1\"");
        String after = scrape(port, null).body();
        assertThat(difference(before, after, "trackstack_otlp_spans_total", "outcome=\"accepted\"")).isEqualTo(1);
        assertThat(difference(before, after, "trackstack_otlp_spans_total", "outcome=\"rejected\"")).isEqualTo(1);
    }

    @Test
    void shouldCountLiveSubscribers() throws Exception {
        double before = value(scrape(port, null).body(), "trackstack_live_subscribers", "stream=\"runEvents\"");
        WebSockets socket = WebSockets.open(port).send("{\"type\": \"connection_init\"}");
        try {
            socket.received.get();  // connection_ack
            socket.send("{\"id\": \"1\", \"type\": \"subscribe\", \"payload\": {\"query\": "
                    + "\"subscription { runEvents { type runId } }\"}}");
            await().atMost(Duration.ofSeconds(30)).until(() -> value(scrape(port, null).body(),
                    "trackstack_live_subscribers", "stream=\"runEvents\"") == before + 1);
        } finally {
            socket.abort();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> value(scrape(port, null).body(),
                "trackstack_live_subscribers", "stream=\"runEvents\"") == before);
    }

    @Test
    void shouldTimeTheDeliveryOfPointsStoredThroughAnotherInstance() throws Exception {
        SecuredServer other = SecuredServer.on(sameDatabase());
        String model = other.admin().documentName("createModel").variable("project", project).variable("name", "m")
                .execute().path("createModel.id").entity(String.class).get();
        String run = other.admin().documentName("createRunOfModel").variable("modelId", model).execute()
                .path("createRun.id").entity(String.class).get();
        String before = scrape(port, null).body();

        other.admin().documentName("logMetrics").variable("runId", run)
                .variable("points", List.of(point("loss", null, 1, 0.5))).execute()
                .path("logMetrics.accepted").entity(Integer.class).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                difference(before, scrape(port, null).body(), "trackstack_live_cluster_lag_seconds_count") >= 1);
        String after = scrape(port, null).body();
        double seconds = difference(before, after, "trackstack_live_cluster_lag_seconds_sum");
        assertThat(seconds).isGreaterThan(0).isLessThan(2 * difference(before, after,
                "trackstack_live_cluster_lag_seconds_count"));
        // this instance logged nothing
        assertThat(difference(before, after, "trackstack_ingest_points_total")).isZero();
    }

    @Test
    void shouldLetTheAdminAndTheMetricsTokenScrapeWhereTokensAreRequired() throws Exception {
        SecuredServer secured = SecuredServer.on(sameDatabase());
        HttpResponse<String> anonymous = scrape(secured.port(), null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(anonymous.body()).contains("\"code\":\"UNAUTHENTICATED\"").doesNotContain("trackstack_");
        HttpResponse<String> invalid = scrape(secured.port(), "tst_not-a-token");
        assertThat(invalid.statusCode()).isEqualTo(401);
        assertThat(invalid.body()).contains("\"code\":\"UNAUTHENTICATED\"", "Invalid or revoked API token");

        for (String token : List.of(SecuredServer.ADMIN_TOKEN, SecuredServer.METRICS_TOKEN)) {
            HttpResponse<String> scrape = scrape(secured.port(), token);
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(names(scrape.body())).contains("trackstack_ingest_points_total");
        }

        // An ordinary token, even one for every project, is valid but may not: 403 with a code.
        HttpResponse<String> ordinary = scrape(secured.port(), secured.createToken("WRITE", null));
        assertThat(ordinary.statusCode()).isEqualTo(403);
        assertThat(ordinary.body()).contains("\"code\":\"FORBIDDEN\"", "metrics token").doesNotContain("trackstack_");

        // The metrics token counts nowhere else.
        assertThat(get(secured.port(), "/actuator/metrics", SecuredServer.METRICS_TOKEN).statusCode()).isEqualTo(401);
        HttpResponse<String> query = HTTP.send(HttpRequest.newBuilder(secured.uri("/graphql"))
                .header("Authorization", "Bearer " + SecuredServer.METRICS_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\": \"{ projects { name } }\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(query.statusCode()).isEqualTo(401);
        assertThat(query.body()).contains("\"code\":\"UNAUTHENTICATED\"").doesNotContain("\"projects\"");
    }

    @Test
    void shouldAskOnlyForMetricsThatExistInTheGrafanaDashboard() throws Exception {
        // A read and a batch first, so that the meters made on first use exist too.
        String run = createRun();
        logMetrics(run, List.of(point("loss", null, 1, 1.0)), null);
        readSeries(run, 1000);
        Set<String> scraped = names(scrape(port, null).body());

        JsonNode dashboard = JsonMapper.builder().build().readTree(DASHBOARD.toFile());
        List<String> queries = new ArrayList<>();
        collect(dashboard, queries);
        assertThat(queries).hasSizeGreaterThan(10);
        Set<String> used = new TreeSet<>();
        for (String query : queries) {
            Matcher metric = METRIC.matcher(query);
            boolean any = false;
            while (metric.find()) {
                used.add(metric.group(1) != null ? metric.group(1) : metric.group(2));
                any = true;
            }
            assertThat(any).as("a metric with labels in: " + query).isTrue();
        }
        assertThat(scraped).containsAll(used);
        assertThat(used).contains("trackstack_ingest_points_total", "trackstack_series_read_seconds_bucket",
                "hikaricp_connections_active", "trackstack_database_restarts_total");
        assertThat(dashboard.path("templating").toString())
                .contains("\"type\":\"datasource\"", "\"query\":\"prometheus\"");
    }

    /** The PromQL of panel targets ({@code expr}) and of query variables ({@code query} as text). */
    private static void collect(JsonNode node, List<String> queries) {
        if (node.isObject()) {
            node.properties().forEach(field -> {
                if (field.getKey().equals("expr") || field.getKey().equals("query") && field.getValue().isString()
                        && field.getValue().asString().contains("(")) {
                    queries.add(field.getValue().asString());
                } else {
                    collect(field.getValue(), queries);
                }
            });
        } else if (node.isArray()) {
            node.forEach(element -> collect(element, queries));
        }
    }

    private GraphQlTester.Response readSeries(String run, int maxPoints) {
        return graphQl.documentName("series").variable("runIds", List.of(run)).variable("maxPoints", maxPoints)
                .execute();
    }

    private static HttpResponse<String> scrape(int port, String token) throws Exception {
        return get(port, "/actuator/prometheus", token);
    }

    private static HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The names of the samples in a scrape (a counter's with _total, a histogram's with _bucket, _count, _sum). */
    private static Set<String> names(String scrape) {
        return scrape.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .map(line -> line.split("[{ ]", 2)[0]).collect(Collectors.toSet());
    }

    /** The sum of the samples of this name whose labels include all of these ({@code key="value"}). */
    private static double value(String scrape, String name, String... labels) {
        return scrape.lines().filter(line -> !line.startsWith("#"))
                .filter(line -> line.split("[{ ]", 2)[0].equals(name))
                .filter(line -> Arrays.stream(labels).allMatch(line::contains))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static double difference(String before, String after, String name, String... labels) {
        return value(after, name, labels) - value(before, name, labels);
    }
}
