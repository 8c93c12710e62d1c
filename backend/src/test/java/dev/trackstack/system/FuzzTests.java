package dev.trackstack.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.trackstack.ApiTest;
import org.junit.jupiter.api.Test;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Property-based fuzzing over real HTTP: requests generated from the schema's real operations, then broken
 * (characters dropped or repeated, wrong types, huge numbers, deep nesting, odd unicode, nulls, oversize text,
 * random JSON), and shapes that cost the server: many aliases of a series read, thousands of sort keys or filters,
 * wide batches (1,000 series at one step). For every response: no 5xx, no stack trace or SQL, a code on every
 * error, and when the request was refused, no stored data changed. Reproducible: the seed is in every failure message, and
 * {@code -Dfuzz.seed=…} replays it; {@code -Dfuzz.tries=…} sets the number of requests.
 */
class FuzzTests extends ApiTest {

    private static final JsonMapper JSON = JsonMapper.shared();
    /** Escapes every non-ASCII character, so that unpaired surrogates reach the server as they are. */
    private static final JsonMapper ASCII_JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .build();
    private static final List<String> LEAKS = List.of("at dev.", "Exception", "java.", "ERROR:", "SQLState",
            "select ", "insert ");
    private static final Set<String> FAILURE_CODES = Set.of("INTERNAL", "UNAVAILABLE");
    private static final List<String> TEXTS = List.of("loss", "val/acc", "", " ", "λ-σ", "\ud83d\ude00",
            "\u0000", "a\ud800", "\ud83d", "\u202eRTL", "e\u0301", "\n\t\r", "'; DROP TABLE run; --", "%_\\",
            "{\"a\": 1}", "$var", "\"quoted\"", "NaN", "Infinity", "n".repeat(257), "m".repeat(1000));
    private static final List<Object> NUMBERS = List.of(0, 1, -1, 7, 2147483647, -2147483648, 2147483648L,
            Long.MAX_VALUE, Long.MIN_VALUE, new BigInteger("99999999999999999999"), 1.5, -0.0, 1e308,
            new BigDecimal("1e400"), new BigDecimal("1e-400"), "5", true);
    private static final List<Object> TIMES = List.of("2026-11-23T10:15:30Z", "2026-11-23T10:15:30.123456+05:30",
            "2026-13-45T00:00:00Z", "+999999999-12-31T23:59:59Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
            "0000-01-01T00:00:00Z", "-000001-01-01T00:00:00Z", "now", "", 12345);
    private static final List<String> TOKENS = List.of("{", "}", "(", ")", "[", "]", "$", ":", "!", "\"", "\\",
            "...", "#", ",", "@skip(if: true)", "query", "mutation", "__typename", "__schema { types { name } }",
            "é", "\u0000", "\ud83d\ude00", "\\u0000", "1e999999", "-", "null");

    private final long seed = Long.getLong("fuzz.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final List<Operation> operations = operations();
    private String model;
    private List<String> runs;

    @Test
    void shouldAnswerEveryBrokenRequestCleanlyAndChangeNothingWhenRefusing() throws Exception {
        int tries = Integer.getInteger("fuzz.tries", 2000);
        ensureTargets();
        int carriedOut = 0;
        for (int i = 0; i < tries; i++) {
            String body = request();
            String before = snapshot();
            HttpResponse<String> response = postGraphQl(port, body);
            String context = "seed " + seed + ", request " + i + ": " + abbreviate(body) + "\n-> "
                    + response.statusCode() + " " + abbreviate(response.body());

            boolean accepted = check(response, context);
            if (accepted) {
                carriedOut++;
                ensureTargets();
            } else {
                assertThat(snapshot()).as("data changed by a refused request; " + context).isEqualTo(before);
            }
        }
        // A generator whose requests all fail (or all pass) would test little.
        assertThat(carriedOut).as("requests carried out, seed " + seed).isBetween(tries / 20, tries - tries / 20);
        assertThat(jdbc.queryForObject("select count(*) from metric_series s join run r on r.id = s.run_id "
                + "join model m on m.id = r.model_id join project p on p.id = m.project_id where p.name = ? "
                + "and s.point_count <> (select count(*) from metric_point mp where mp.series_id = s.id)",
                Long.class, project)).as("summaries matching their points, seed " + seed).isZero();
        HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/actuator/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.body()).contains("\"status\":\"UP\"");
    }

    /** Asserts what holds for every response; answers whether the request was (at least partly) carried out. */
    private boolean check(HttpResponse<String> response, String context) {
        assertThat(response.statusCode()).as(context).isIn(200, 400, 413);
        for (String leak : LEAKS) {
            assertThat(response.body()).as(context).doesNotContainIgnoringCase(leak);
        }
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.has("data") || body.has("errors")).as("a GraphQL response; " + context).isTrue();
        assertThat(response.statusCode() == 200 || body.has("errors")).as("errors with a 4xx; " + context).isTrue();
        for (JsonNode error : body.path("errors")) {
            String code = error.path("extensions").path("code").asString(null);
            assertThat(code).as("code of every error; " + context).isNotNull().isNotIn(FAILURE_CODES);
        }
        boolean anyData = false;
        for (JsonNode field : body.path("data")) {
            anyData |= !field.isNull();
        }
        return anyData;
    }

    /** The data a request could touch: counts of everything, and the contents of this test's project. */
    private String snapshot() {
        return jdbc.queryForObject("""
                with runs as (select r.* from run r join model m on m.id = r.model_id
                              join project p on p.id = m.project_id where p.name = ?),
                     series as (select s.* from metric_series s where s.run_id in (select id from runs))
                select (select count(*) from project) || '/' || (select count(*) from model) || '/'
                    || (select count(*) from run) || '/'
                    || coalesce((select md5(string_agg(r::text, ',' order by r.id)) from runs r), '') || '/'
                    || coalesce((select md5(string_agg(s::text, ',' order by s.id)) from series s), '') || '/'
                    || coalesce((select md5(string_agg(p::text, ',' order by p.series_id, p.step))
                                 from metric_point p where p.series_id in (select id from series)), '') || '/'
                    || coalesce((select md5(string_agg(b.batch_id, ',' order by b.batch_id))
                                 from ingest_batch b where b.run_id in (select id from runs)), '')
                """, String.class, project);
    }

    /** The fuzzed requests aim at a model and two runs of this test's project; accepted deletes remove them. */
    private void ensureTargets() {
        List<Long> left = runs == null ? List.of() : jdbc.queryForList("select id from run where id = any(?)",
                Long.class, (Object) runs.stream().mapToLong(Long::parseLong).toArray());
        if (left.size() < 2) {
            model = createModel("fuzzed");
            runs = List.of(createRun(model, "a", Map.of("lr", 0.1), List.of("gpu")),
                    createRun(model, "b", Map.of(), List.of()));
            logMetrics(runs.get(0), List.of(point("loss", "train", 0, 1.0), point("loss", "train", 1, 0.5)), null);
        }
    }

    private String request() {
        Operation operation = pick(operations);
        Map<String, Object> variables = new LinkedHashMap<>();
        operation.variables().forEach((name, value) -> {
            if (random.nextInt(8) > 0) {
                variables.put(name, random.nextInt(8) == 0 ? anyJson(3) : value.get());
            }
        });
        JsonMapper json = random.nextBoolean() ? JSON : ASCII_JSON;
        String document = random.nextInt(4) == 0 ? inline(operation, variables, json) : operation.document();
        if (random.nextInt(3) == 0) {
            document = mutate(document);
        }
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("query", document);
        envelope.put("variables", random.nextInt(30) == 0 ? anyJson(2) : variables);
        String body = json.writeValueAsString(envelope);
        return random.nextInt(30) == 0 ? mutate(body) : body;
    }

    /** The operation with its variables written as literals into the document. */
    private static String inline(Operation operation, Map<String, Object> variables, JsonMapper json) {
        String document = operation.document().replaceFirst("\\([^)]*\\)\\s*\\{", "{");
        for (String name : operation.variables().keySet()) {
            String literal = variables.containsKey(name) ? literal(variables.get(name), json) : "null";
            document = document.replaceAll("\\$" + name + "\\b", Matcher.quoteReplacement(literal));
        }
        return document;
    }

    /** GraphQL literal syntax; upper-case words are written as enum values. */
    private static String literal(Object value, JsonMapper json) {
        if (value instanceof String text) {
            return text.matches("[A-Z_]+") ? text : json.writeValueAsString(text);
        }
        if (value instanceof Map<?, ?> map) {
            List<String> fields = new ArrayList<>();
            map.forEach((key, item) -> fields.add(key + ": " + literal(item, json)));
            return "{" + String.join(", ", fields) + "}";
        }
        if (value instanceof List<?> list) {
            return "[" + String.join(", ", list.stream().map(item -> literal(item, json)).toList()) + "]";
        }
        return String.valueOf(value);
    }

    private String mutate(String text) {
        for (int n = 1 + random.nextInt(3); n > 0 && !text.isEmpty(); n--) {
            int at = random.nextInt(text.length());
            int end = Math.min(text.length(), at + 1 + random.nextInt(20));
            text = switch (random.nextInt(8)) {
                case 0 -> text.substring(0, at) + text.substring(at + 1);
                case 1 -> text.substring(0, at) + text.charAt(at) + text.substring(at);
                case 2 -> text.substring(0, at) + pick(TOKENS) + text.substring(at);
                case 3 -> text.substring(0, at) + text.substring(end);
                case 4 -> text.substring(0, end) + text.substring(at, end) + text.substring(end);
                case 5 -> text.substring(0, at);
                case 6 -> {
                    int depth = 1 + random.nextInt(600);
                    yield text.substring(0, at) + "{ a ".repeat(depth) + "}".repeat(depth) + text.substring(at);
                }
                default -> end == text.length() ? text : text.substring(0, at) + text.charAt(end)
                        + text.substring(at + 1, end) + text.charAt(at) + text.substring(end + 1);
            };
        }
        return text;
    }

    private List<Operation> operations() {
        return List.of(
                new Operation("mutation($runId: ID!, $points: [MetricPointInput!]!, $batchId: String) { "
                        + "logMetrics(runId: $runId, points: $points, batchId: $batchId) { accepted duplicates } }",
                        Map.of("runId", this::runId, "points", this::points, "batchId", this::text)),
                new Operation("mutation($project: String!, $name: String!) { createModel(project: $project, "
                        + "name: $name) { id name project { name } } }",
                        Map.of("project", () -> random.nextBoolean() ? project : text(), "name", this::text)),
                new Operation("mutation($modelId: ID!, $name: String, $hyperparameters: JSON, $tags: [String!], "
                        + "$notes: String) { createRun(modelId: $modelId, name: $name, hyperparameters: "
                        + "$hyperparameters, tags: $tags, notes: $notes) { id hyperparameters tags notes } }",
                        Map.of("modelId", this::modelId, "name", this::text, "hyperparameters", () -> anyJson(5),
                                "tags", () -> list(this::text), "notes", this::text)),
                new Operation("mutation($runId: ID!, $name: String, $notes: String, $tags: [String!]) { "
                        + "updateRun(runId: $runId, name: $name, notes: $notes, tags: $tags) { id name notes tags } }",
                        Map.of("runId", this::runId, "name", this::text, "notes", this::text,
                                "tags", () -> list(this::text))),
                new Operation("mutation($runId: ID!, $status: RunStatus!) { updateRunStatus(runId: $runId, "
                        + "status: $status) { status finishedAt } }",
                        Map.of("runId", this::runId, "status", this::status)),
                new Operation("mutation($runId: ID!) { heartbeat(runId: $runId) { status lastHeartbeatAt } }",
                        Map.of("runId", this::runId)),
                new Operation("mutation($runId: ID!, $toStep: Long!) { rewindRun(runId: $runId, toStep: $toStep) }",
                        Map.of("runId", this::runId, "toStep", this::step)),
                new Operation("mutation($ids: [ID!]!) { deleteRuns(ids: $ids) }",
                        Map.of("ids", () -> list(this::runId))),
                new Operation("mutation($id: ID!) { deleteModel(id: $id) }", Map.of("id", this::modelId)),
                new Operation("mutation($name: String!) { deleteProject(name: $name) }",
                        Map.of("name", () -> random.nextInt(10) == 0 ? project : text())),
                new Operation("query($project: String, $modelId: ID, $filter: RunFilter, $orderBy: [RunOrder!], "
                        + "$first: Int, $after: String) { runs(project: $project, modelId: $modelId, filter: $filter, "
                        + "orderBy: $orderBy, first: $first, after: $after) { totalCount pageInfo { endCursor } "
                        + "edges { node { id name hyperparameters summaries { name last min } } } } }",
                        Map.of("project", () -> project, "modelId", this::modelId, "filter", this::filter,
                                "orderBy", () -> random.nextInt(20) == 0 ? many(this::order) : list(this::order),
                                "first", this::number, "after", this::cursor)),
                new Operation("query($runIds: [ID!]!, $names: [String!], $splits: [String], $maxPoints: Int, "
                        + "$fromStep: Long, $toStep: Long) { series(runIds: $runIds, names: $names, splits: $splits, "
                        + "maxPoints: $maxPoints, fromStep: $fromStep, toStep: $toStep) { runId name totalPoints "
                        + "downsampled points { step value min max count } } }",
                        Map.of("runIds", () -> list(this::runId), "names", () -> list(this::text),
                                "splits", () -> list(this::text), "maxPoints", this::number,
                                "fromStep", this::step, "toStep", this::step)),
                // many aliases of one read: together they may ask for more points than one request may hold
                new Operation("query($runIds: [ID!]!, $maxPoints: Int) { " + IntStream.range(0, 120)
                        .mapToObj(i -> "a" + i + ": series(runIds: $runIds, maxPoints: $maxPoints) { steps values "
                                + "mins maxes counts times } ").collect(Collectors.joining()) + "}",
                        Map.of("runIds", () -> list(this::runId), "maxPoints", this::number)),
                new Operation("query($name: String!, $id: ID!, $modelId: ID!) { project(name: $name) { name "
                        + "runCount models { name } } run(id: $id) { name status } model(id: $modelId) { name } }",
                        Map.of("name", () -> random.nextBoolean() ? project : text(), "id", this::runId,
                                "modelId", this::modelId)),
                new Operation("subscription($runIds: [ID!]!) { metricPoints(runIds: $runIds) { runId } }",
                        Map.of("runIds", () -> list(this::runId))));
    }

    private Object runId() {
        return random.nextInt(4) > 0 ? pick(runs) : invalidId();
    }

    private Object modelId() {
        return random.nextInt(4) > 0 ? model : invalidId();
    }

    /** Ids that are none of the database's: the fuzzer must not touch other tests' data. */
    private Object invalidId() {
        return pick(List.of("0", "-1", "abc", "", " 1", "1.5", "99999999999999999999", "9223372036854775807", 5));
    }

    private Object text() {
        return random.nextInt(10) == 0 ? anyJson(1) : pick(TEXTS);
    }

    private Object number() {
        return random.nextBoolean() ? random.nextInt(20) : pick(NUMBERS);
    }

    private Object step() {
        return random.nextBoolean() ? (long) random.nextInt(100) : pick(NUMBERS);
    }

    private Object status() {
        return pick(List.of("RUNNING", "COMPLETED", "FAILED", "CRASHED", "running", "DONE", 1));
    }

    private Object cursor() {
        return pick(List.of("b2Zmc2V0OjE", "b2Zmc2V0Ojk5OTk5OTk5OTk5", "b2Zmc2V0Oi01", "", "!!!", "offset:1"));
    }

    private Object points() {
        if (random.nextInt(200) == 0) {
            List<Object> many = new ArrayList<>();
            for (int i = 0; i <= 10_000; i++) {
                many.add(Map.of("name", "loss", "step", i, "value", 1));
            }
            return many;
        }
        if (random.nextInt(50) == 0) {  // a wide batch: 1,000 series at one step
            List<Object> wide = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                wide.add(Map.of("name", "layer" + i + ".grad_norm", "step", random.nextInt(100), "value", i));
            }
            return wide;
        }
        return list(() -> {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("name", text());
            point.put("split", random.nextBoolean() ? null : text());
            point.put("step", step());
            point.put("value", pick(List.of(random.nextDouble(), -random.nextDouble() * 1e6, "NaN", "Infinity",
                    "-Infinity", "nan", "", true, 1e308, new BigDecimal("1e400"))));
            if (random.nextBoolean()) {
                point.put("time", pick(TIMES));
            }
            return random.nextInt(10) == 0 ? anyJson(2) : point;
        });
    }

    private Object filter() {
        Map<String, Object> filter = new LinkedHashMap<>();
        filter.put("status", list(this::status));
        filter.put("tags", list(this::text));
        filter.put("nameContains", text());
        Supplier<Object> param = () -> map("key", text(), "op", op(), "value", anyJson(2));
        Supplier<Object> metric = () -> map("name", text(), "stat", pick(List.of("LAST", "MIN", "MAX", "AVG")),
                "op", op(), "value", number());
        filter.put("params", random.nextInt(20) == 0 ? many(param) : list(param));
        filter.put("metrics", random.nextInt(20) == 0 ? many(metric) : list(metric));
        filter.keySet().removeIf(key -> random.nextBoolean());
        return filter;
    }

    private Object order() {
        Map<String, Object> order = new LinkedHashMap<>();
        order.put("field", pick(List.of("CREATED_AT", "NAME", "STATUS", "PARAM", "METRIC", "SIZE")));
        order.put("direction", pick(List.of("ASC", "DESC", "UP")));
        order.put("param", text());
        order.put("metric", map("name", text(), "stat", pick(List.of("LAST", "MIN", "MAX"))));
        order.keySet().removeIf(key -> !key.equals("field") && random.nextBoolean());
        return order;
    }

    private String op() {
        return pick(List.of("EQ", "NE", "LT", "LTE", "GT", "GTE", "LIKE"));
    }

    private List<Object> list(Supplier<Object> item) {
        List<Object> items = new ArrayList<>();
        for (int n = random.nextInt(4); n > 0; n--) {
            items.add(random.nextInt(20) == 0 ? null : item.get());
        }
        return items;
    }

    /** Up to 20,000 items, past the limits on sort keys and filters. */
    private List<Object> many(Supplier<Object> item) {
        List<Object> items = new ArrayList<>();
        for (int n = random.nextInt(20_000); n > 0; n--) {
            items.add(item.get());
        }
        return items;
    }

    /** Any JSON value, nested up to this depth, now and then far deeper. */
    private Object anyJson(int depth) {
        if (random.nextInt(100) == 0) {
            Object deep = 1;
            for (int i = random.nextInt(400); i >= 0; i--) {
                deep = random.nextBoolean() ? List.of(deep) : Map.of("k", deep);
            }
            return deep;
        }
        return switch (depth <= 0 ? random.nextInt(4) : random.nextInt(6)) {
            case 0 -> null;
            case 1 -> pick(NUMBERS);
            case 2 -> pick(TEXTS);
            case 3 -> random.nextBoolean();
            case 4 -> list(() -> anyJson(depth - 1));
            default -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int n = random.nextInt(4); n > 0; n--) {
                    map.put(random.nextBoolean() ? "lr" : pick(TEXTS), anyJson(depth - 1));
                }
                yield map;
            }
        };
    }

    /** A JSON object of these names and values, which may be null. */
    private static Map<String, Object> map(Object... namesAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }

    private <T> T pick(List<T> items) {
        return items.get(random.nextInt(items.size()));
    }

    private static String abbreviate(String text) {
        return text.length() > 2000 ? text.substring(0, 2000) + "… (" + text.length() + " chars)" : text;
    }

    /** A document with its variables, each generated by a supplier (in name order, for reproducible runs). */
    private record Operation(String document, Map<String, Supplier<Object>> variables) {

        Operation {
            variables = new TreeMap<>(variables);
        }
    }
}
