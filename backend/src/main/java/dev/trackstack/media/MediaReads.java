package dev.trackstack.media;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.trackstack.artifact.DownloadLinks;
import dev.trackstack.system.ApiException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/** The queries of media: items at a step across runs, a histogram series, a run's series. */
@Service
class MediaReads {

    /** Items at each step asked for (as {@code asked}), per run, in the order of the steps and of the runs. */
    private static final String ITEM = """
            select q.asked, i.run_id, i.name, i.step, i.idx, i.kind, i.caption, i.created_at, i.sha256, i.format,
                   i.width, i.height, i.bytes, i.overlays::text, i.payload::text, p.name as project
            from unnest(?::bigint[]) with ordinality as q(asked, ord)
            cross join unnest(?::bigint[]) with ordinality as r(id, ord)
            join run ru on ru.id = r.id join model m on m.id = ru.model_id join project p on p.id = m.project_id
            cross join lateral (select %s as step) s
            join lateral (select * from media_item i where i.run_id = r.id and i.name = ? and i.step = s.step
                          order by i.idx limit ?) i on true
            order by q.ord, r.ord, i.idx""";

    /** The highest step at or before the one asked for, else the first: both one probe of the primary key. */
    private static final String AT_OR_BEFORE = """
            coalesce((select max(step) from media_item where run_id = r.id and name = ? and step <= q.asked),
                     (select min(step) from media_item where run_id = r.id and name = ?))""";

    private final JdbcTemplate jdbc;
    private final DownloadLinks links;
    private final JsonMapper json;

    MediaReads(JdbcTemplate jdbc, DownloadLinks links, JsonMapper json) {
        this.jdbc = jdbc;
        this.links = links;
        this.json = json;
    }

    /** The items at each of the steps (each once), by step in the order asked; a step none answers has no items. */
    Map<Long, List<MediaItem>> at(long[] runIds, String name, long[] steps, boolean exact, int first) {
        Map<Long, List<MediaItem>> bySteps = new LinkedHashMap<>();
        for (long step : steps) {
            bySteps.put(step, new ArrayList<>());
        }
        Long[] asked = bySteps.keySet().toArray(Long[]::new);
        RowCallbackHandler add = rs -> bySteps.get(rs.getLong("asked")).add(item(rs));
        if (exact) {
            jdbc.query(ITEM.formatted("q.asked"), add, asked, runIds, name, first);
        } else {
            jdbc.query(ITEM.formatted(AT_OR_BEFORE), add, asked, runIds, name, name, name, first);
        }
        return bySteps;
    }

    /**
     * At most {@code maxSteps} steps of a histogram series, evenly chosen by index (first and last kept), each
     * step's first item.
     */
    List<MediaItem.HistogramAtStep> histograms(long runId, String name, int maxSteps) {
        List<String> kind = jdbc.queryForList("select kind from media_series where run_id = ? and name = ?",
                String.class, runId, name);
        if (kind.isEmpty()) {
            return List.of();
        }
        if (!kind.get(0).equals(MediaKind.HISTOGRAM.name())) {
            throw ApiException.badInput("\"" + name + "\" holds " + kind.get(0) + " items, not histograms");
        }
        List<Long> steps = jdbc.queryForList("select distinct step from media_item where run_id = ? and name = ? "
                + "order by step", Long.class, runId, name);
        Long[] chosen = evenly(steps, maxSteps);
        return jdbc.query("""
                select step, payload::text from media_item
                where run_id = ? and name = ? and idx = 0 and step = any(?) order by step""", (rs, row) -> {
                    MediaItem.Histogram histogram = histogram(rs.getString(2));
                    return new MediaItem.HistogramAtStep(rs.getLong(1), histogram.edges(), histogram.counts());
                }, runId, name, chosen);
    }

    /** Evenly spaced by index, the first and the last always among them. */
    static Long[] evenly(List<Long> steps, int max) {
        int n = steps.size();
        if (n <= max) {
            return steps.toArray(Long[]::new);
        }
        if (max == 1) {
            return new Long[] {steps.get(n - 1)};
        }
        Long[] chosen = new Long[max];
        for (int i = 0; i < max; i++) {
            chosen[i] = steps.get((int) Math.round((double) i * (n - 1) / (max - 1)));
        }
        return chosen;
    }

    /** The media series of these runs, by run id, each ordered by name. */
    Map<Long, List<MediaItem.Series>> series(List<Long> runIds) {
        Map<Long, List<MediaItem.Series>> byRun = new HashMap<>();
        jdbc.query("""
                select s.run_id, s.name, s.kind, array(select distinct step from media_item i
                                                       where i.run_id = s.run_id and i.name = s.name order by step)
                from media_series s where s.run_id = any(?) order by s.run_id, s.name""", rs -> {
                    Long[] steps = (Long[]) rs.getArray(4).getArray();
                    if (steps.length > 0) {
                        long[] values = new long[steps.length];
                        for (int i = 0; i < steps.length; i++) {
                            values[i] = steps[i];
                        }
                        byRun.computeIfAbsent(rs.getLong(1), run -> new ArrayList<>()).add(new MediaItem.Series(
                                rs.getString(2), MediaKind.valueOf(rs.getString(3)), values.length, values[0],
                                values[values.length - 1], values));
                    }
                }, (Object) runIds.toArray(Long[]::new));
        return byRun;
    }

    private MediaItem item(ResultSet rs) throws SQLException {
        MediaKind kind = MediaKind.valueOf(rs.getString("kind"));
        String project = rs.getString("project");
        String payload = rs.getString("payload");
        MediaItem.Image image = null;
        MediaItem.Histogram histogram = null;
        MediaItem.Table table = null;
        MediaItem.Text text = null;
        switch (kind) {
            case IMAGE -> {
                String sha256 = rs.getString("sha256");
                String format = rs.getString("format");
                String overlays = rs.getString("overlays");
                image = new MediaItem.Image(format, rs.getInt("width"), rs.getInt("height"), rs.getLong("bytes"),
                        sha256, url(project, sha256, format), overlays == null ? null : json.readValue(overlays, Map.class));
            }
            case HISTOGRAM -> histogram = histogram(payload);
            case TABLE -> table = table(project, payload);
            case TEXT -> {
                Map<?, ?> map = json.readValue(payload, Map.class);
                text = new MediaItem.Text((String) map.get("format"), (String) map.get("content"));
            }
        }
        return new MediaItem(rs.getLong("run_id"), rs.getString("name"), rs.getLong("step"), rs.getInt("idx"), kind,
                rs.getString("caption"), rs.getObject("created_at", OffsetDateTime.class), image, histogram, table,
                text);
    }

    private String url(String project, String sha256, String format) {
        return links.url(project, sha256, sha256.substring(0, 16) + "." + format.toLowerCase(Locale.ROOT));
    }

    private MediaItem.Histogram histogram(String payload) {
        Map<?, ?> map = json.readValue(payload, Map.class);
        return new MediaItem.Histogram(doubles(map.get("edges")), doubles(map.get("counts")));
    }

    private static double[] doubles(Object list) {
        return ((List<?>) list).stream().mapToDouble(value -> ((Number) value).doubleValue()).toArray();
    }

    /** The stored table with each image cell's blob given a link. */
    @SuppressWarnings("unchecked")
    private MediaItem.Table table(String project, String payload) {
        Map<String, Object> map = json.readValue(payload, Map.class);
        List<Map<String, String>> columns = (List<Map<String, String>>) map.get("columns");
        List<List<Object>> rows = (List<List<Object>>) map.get("rows");
        for (List<Object> row : rows) {
            for (int c = 0; c < columns.size(); c++) {
                if (row.get(c) instanceof Map<?, ?> cell) {
                    Map<String, Object> image = new LinkedHashMap<>();
                    String sha256 = (String) cell.get("sha256");
                    image.put("url", url(project, sha256, (String) cell.get("format")));
                    image.put("width", cell.get("width"));
                    image.put("height", cell.get("height"));
                    image.put("sha256", sha256);
                    row.set(c, image);
                }
            }
        }
        return new MediaItem.Table(columns.stream()
                .map(column -> new MediaItem.TableColumn(column.get("name"), column.get("type"))).toList(), rows);
    }
}
