package dev.trackstack.metric;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * seriesGroups: runs grouped by what they share, each group's series folded into one line with a band. The runs'
 * series are read as {@code series} reads them; here they are aligned on buckets of equal step width common to all
 * groups, so that a group of 100 runs of 1,000,000 points each costs the server 100 downsampled reads, and the
 * browser one line.
 */
@Service
class SeriesGroups {

    /** Per run, what it shares with its group: its key as shown, and as compared (jsonb text, model, sorted tags). */
    private static final String KEYS = """
            select r.id, coalesce((select jsonb_object_agg(k, r.hyperparameters #> string_to_array(k, '.'))
                                   from unnest(?::text[]) as k), '{}')::text,
                   r.model_id, m.name, array(select t from unnest(r.tags) as t order by t)
            from run r join model m on m.id = r.model_id where r.id = any(?)
            """;

    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    private final int nameLength;

    SeriesGroups(JdbcTemplate jdbc, JsonMapper json, TrackstackProperties properties) {
        this.jdbc = jdbc;
        this.json = json;
        this.nameLength = properties.limits().nameLength();
    }

    /** What groups runs, as the schema's GroupByInput. */
    record GroupBy(List<String> hyperparameters, boolean model, boolean tags) {
    }

    /** The schema's SeriesGroup. */
    record SeriesGroup(Map<String, Object> key, List<String> runIds, List<Long> steps, List<Double> mean,
            List<Double> median, List<Double> min, List<Double> max, List<Double> std, List<Long> runs) {
    }

    void check(GroupBy by) {
        for (String key : by.hyperparameters()) {
            if (key.isEmpty() || key.length() > nameLength) {
                throw ApiException.badInput("A hyperparameter key must be 1 to " + nameLength + " characters");
            }
        }
    }

    /** The groups of the runs that have a series in {@code series}, in the order of their first run in runIds. */
    List<SeriesGroup> group(long[] runIds, GroupBy by, List<Series> series, int maxPoints) {
        Map<Long, Series> byRun = new LinkedHashMap<>();
        series.forEach(s -> byRun.put(s.runId(), s));
        Map<Long, Member> members = new LinkedHashMap<>();
        jdbc.query(KEYS, rs -> {
            long run = rs.getLong(1);
            if (byRun.containsKey(run)) {
                members.put(run, new Member(run, rs.getString(2), rs.getLong(3), rs.getString(4),
                        Arrays.asList((String[]) rs.getArray(5).getArray())));
            }
        }, by.hyperparameters().toArray(String[]::new), runIds);
        Map<List<Object>, List<Member>> groups = new LinkedHashMap<>();
        for (long run : runIds) {
            Member member = members.remove(run);  // remove(): a run given twice counts once
            if (member != null) {
                groups.computeIfAbsent(member.identity(by), k -> new ArrayList<>()).add(member);
            }
        }
        Grid grid = Grid.of(byRun.values(), maxPoints);
        return groups.values().stream().map(group -> fold(group, by, byRun, grid)).toList();
    }

    private SeriesGroup fold(List<Member> group, GroupBy by, Map<Long, Series> byRun, Grid grid) {
        double[][] values = new double[group.size()][];
        long[] lastSteps = new long[grid.buckets()];
        Arrays.fill(lastSteps, -1);
        for (int r = 0; r < group.size(); r++) {
            values[r] = new double[grid.buckets()];
            Arrays.fill(values[r], Double.NaN);
            for (SeriesPoint point : byRun.get(group.get(r).run()).points()) {
                int bucket = grid.bucketOf(point.step());
                if (Double.isFinite(point.value())) {
                    values[r][bucket] = point.value();  // points come by step: the last finite one stays
                }
                lastSteps[bucket] = Math.max(lastSteps[bucket], point.step());
            }
        }
        Band band = new Band();
        double[] column = new double[group.size()];
        for (int b = 0; b < grid.buckets(); b++) {
            int n = 0;
            for (double[] run : values) {
                if (!Double.isNaN(run[b])) {
                    column[n++] = run[b];
                }
            }
            if (n > 0) {
                band.add(lastSteps[b], Arrays.copyOf(column, n));
            }
        }
        Member first = group.get(0);
        return new SeriesGroup(first.key(by, json), group.stream().map(m -> String.valueOf(m.run())).toList(),
                band.steps, band.mean, band.median, band.min, band.max, band.std, band.runs);
    }

    /** Buckets of equal step width from the first step of all the series to the last, at most maxPoints. */
    private record Grid(long origin, long width, int buckets) {

        static Grid of(Iterable<Series> series, int maxPoints) {
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (Series s : series) {
                if (!s.points().isEmpty()) {
                    first = Math.min(first, s.points().get(0).step());
                    last = Math.max(last, s.points().get(s.points().size() - 1).step());
                }
            }
            if (first > last) {
                return new Grid(0, 1, 0);
            }
            long span = last - first + 1;
            long width = Math.max(1, (span + maxPoints - 1) / maxPoints);
            return new Grid(first, width, (int) ((span + width - 1) / width));
        }

        int bucketOf(long step) {
            return (int) ((step - origin) / width);
        }
    }

    /** The group's columns, a bucket at a time. */
    private static final class Band {

        final List<Long> steps = new ArrayList<>();
        final List<Double> mean = new ArrayList<>();
        final List<Double> median = new ArrayList<>();
        final List<Double> min = new ArrayList<>();
        final List<Double> max = new ArrayList<>();
        final List<Double> std = new ArrayList<>();
        final List<Long> runs = new ArrayList<>();

        void add(long step, double[] values) {
            Arrays.sort(values);
            int n = values.length;
            double sum = 0;
            for (double v : values) {
                sum += v;
            }
            double average = sum / n;
            double squares = 0;
            for (double v : values) {
                squares += (v - average) * (v - average);
            }
            steps.add(step);
            mean.add(average);
            median.add(n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2);
            min.add(values[0]);
            max.add(values[n - 1]);
            std.add(Math.sqrt(squares / n));
            runs.add((long) n);
        }
    }

    /** A run of a group: its series and what it is grouped by. */
    private record Member(long run, String hyperparameters, long modelId, String modelName, List<String> tags) {

        List<Object> identity(GroupBy by) {
            return List.of(hyperparameters, by.model() ? modelId : 0L, by.tags() ? tags : List.of());
        }

        Map<String, Object> key(GroupBy by, JsonMapper json) {
            Map<String, Object> key = new LinkedHashMap<>();
            if (!by.hyperparameters().isEmpty()) {
                key.put("hyperparameters", json.readValue(hyperparameters, Map.class));
            }
            if (by.model()) {
                key.put("model", Map.of("id", String.valueOf(modelId), "name", modelName));
            }
            if (by.tags()) {
                key.put("tags", tags);
            }
            return key;
        }
    }
}
