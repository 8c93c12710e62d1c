package dev.trackstack.export;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import javax.sql.DataSource;

import dev.trackstack.system.EpochMicros;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The filtered runs with their hyperparameters, tags, notes and series summaries (as Run.summaries answers them),
 * read through a cursor in id order and written as they come: a JSON array, or CSV rows.
 */
@Component
class RunExport {

    /** Summaries as JSON made by PostgreSQL, whose json keeps NaN and ±Infinity as the strings the API uses. */
    private static final String RUNS = """
            select r.id, r.name, m.name, r.kind, r.status, %s, %s, r.hyperparameters::text, r.tags, r.notes,
                   (select coalesce(json_agg(json_build_object('name', s.name, 'split', s.split,
                           'count', s.point_count, 'lastStep', s.last_step, 'last', s.last_value,
                           'minStep', s.min_step, 'min', s.min_value, 'maxStep', s.max_step, 'max', s.max_value)
                           order by s.name, s.split nulls first), '[]')::text
                    from metric_series s where s.run_id = r.id)
            from run r join model m on m.id = r.model_id
            where %s
            order by r.id
            """;

    private static final List<String> STATS = List.of("last", "min", "max", "count");

    private final JdbcTemplate cursor;
    private final TransactionTemplate readOnly;

    RunExport(DataSource dataSource, PlatformTransactionManager transactions) {
        this.cursor = new JdbcTemplate(dataSource);
        cursor.setFetchSize(PointExport.FETCH_SIZE);
        this.readOnly = new TransactionTemplate(transactions);
        readOnly.setReadOnly(true);
    }

    private interface RunHandler {
        void run(ResultSet rs) throws SQLException, IOException;
    }

    private void eachRun(ExportFilter filter, RunHandler handler) {
        List<Object> arguments = new ArrayList<>();
        String sql = RUNS.formatted(EpochMicros.sql("r.created_at"), EpochMicros.sql("r.finished_at"),
                filter.where(false, arguments));
        cursor.query(sql, rs -> {
            try {
                handler.run(rs);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, arguments.toArray());
    }

    void json(ExportFilter filter, OutputStream stream) {
        readOnly.executeWithoutResult(status -> {
            try (JsonGenerator json = JsonMapper.shared().createGenerator(stream)) {
                json.writeStartArray();
                eachRun(filter, rs -> {
                    json.writeStartObject();
                    json.writeStringProperty("id", rs.getString(1));
                    json.writeStringProperty("name", rs.getString(2));
                    json.writeStringProperty("model", rs.getString(3));
                    json.writeStringProperty("kind", rs.getString(4));
                    json.writeStringProperty("status", rs.getString(5));
                    json.writeStringProperty("createdAt", time(rs, 6));
                    json.writeStringProperty("finishedAt", time(rs, 7));
                    json.writeName("hyperparameters");
                    json.writeRawValue(rs.getString(8));
                    String[] tags = tags(rs);
                    json.writeName("tags");
                    json.writeArray(tags, 0, tags.length);
                    json.writeStringProperty("notes", rs.getString(10));
                    json.writeName("summaries");
                    json.writeRawValue(rs.getString(11));
                    json.writeEndObject();
                });
                json.writeEndArray();
            }
        });
    }

    /**
     * One row per run. The columns must be known before the first row: a first pass collects the hyperparameter
     * keys, and the series names come from the series table.
     */
    void csv(ExportFilter filter, OutputStream stream) {
        readOnly.executeWithoutResult(status -> {
            Set<String> keys = new TreeSet<>();
            eachRun(filter, rs -> keys.addAll(flatten(rs.getString(8)).keySet()));
            List<Object> arguments = new ArrayList<>();
            List<String> series = cursor.query("""
                    select distinct s.name, s.split from metric_series s
                    join run r on r.id = s.run_id join model m on m.id = r.model_id
                    where %s order by s.name, s.split nulls first
                    """.formatted(filter.where(false, arguments)),
                    (rs, i) -> seriesColumn(rs.getString(1), rs.getString(2)), arguments.toArray());
            try {
                Writer out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
                List<String> header = new ArrayList<>(List.of("id", "name", "model", "kind", "status", "createdAt",
                        "finishedAt", "tags", "notes"));
                keys.forEach(key -> header.add("hp." + key));
                series.forEach(column -> STATS.forEach(stat -> header.add(column + "." + stat)));
                line(out, header);
                eachRun(filter, rs -> {
                    List<String> row = new ArrayList<>(List.of(rs.getString(1), text(rs.getString(2)),
                            rs.getString(3), rs.getString(4), rs.getString(5), text(time(rs, 6)),
                            text(time(rs, 7)), String.join(";", tags(rs)), text(rs.getString(10))));
                    Map<String, String> hyperparameters = flatten(rs.getString(8));
                    keys.forEach(key -> row.add(text(hyperparameters.get(key))));
                    Map<String, JsonNode> summaries = new LinkedHashMap<>();
                    for (JsonNode summary : JsonMapper.shared().readTree(rs.getString(11))) {
                        summaries.put(seriesColumn(summary.get("name").asString(), summary.get("split").isNull()
                                ? null : summary.get("split").asString()), summary);
                    }
                    for (String column : series) {
                        JsonNode summary = summaries.get(column);
                        STATS.forEach(stat -> row.add(summary == null ? "" : value(stat, summary.get(stat))));
                    }
                    line(out, row);
                });
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static String[] tags(ResultSet rs) throws SQLException {
        return (String[]) rs.getArray(9).getArray();
    }

    private static String time(ResultSet rs, int column) throws SQLException {
        long micros = rs.getLong(column);
        return rs.wasNull() ? null : Times.format(micros);
    }

    private static String text(String value) {
        return value == null ? "" : value;
    }

    private static String seriesColumn(String name, String split) {
        return split == null ? name : name + "/" + split;
    }

    /** A summary value: a count as it is, a value as Java writes doubles ("NaN" and ±"Infinity" too), none empty. */
    private static String value(String stat, JsonNode node) {
        if (node.isNull()) {
            return "";
        }
        return stat.equals("count") || node.isString() ? node.asString() : Csv.number(node.asDouble());
    }

    /** Hyperparameters as dotted keys: nested objects are walked, anything else is one value (lists as JSON). */
    static Map<String, String> flatten(String hyperparameters) {
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", JsonMapper.shared().readTree(hyperparameters), flat);
        return flat;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> flat) {
        if (node.isObject()) {
            node.properties().forEach(entry -> flatten(prefix + entry.getKey() + ".", entry.getValue(), flat));
        } else {
            String key = prefix.substring(0, prefix.length() - 1);
            flat.put(key, node.isNull() ? "" : node.isString() ? node.asString() : node.toString());
        }
    }

    private static void line(Writer out, List<String> fields) throws IOException {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.write(Csv.field(fields.get(i)));
        }
        out.write("\r\n");
    }
}
