package dev.trackstack.eval;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import dev.trackstack.project.ProjectIds;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Score configs per project and name: set by setScoreConfig, or inferred from a name's first score. */
@Service
class ScoreConfigs {

    static final int MAX_CATEGORIES = 100;
    /** Score names become series names "score/<name>", which must fit the name length. */
    static final int SERIES_PREFIX = "score/".length();

    private static final String COLUMNS = "name, type, min_value, max_value, categories, pass_categories,"
            + " higher_is_better, pass_threshold, inferred, updated_at";

    enum ScoreType { NUMERIC, BOOLEAN, CATEGORICAL }

    record ScoreConfig(String name, ScoreType type, Double min, Double max, List<String> categories,
            List<String> passCategories, boolean higherIsBetter, Double passThreshold, boolean inferred,
            OffsetDateTime updatedAt) {

        boolean definesPassing() {
            return switch (type) {
                case NUMERIC -> passThreshold != null;
                case BOOLEAN -> true;
                case CATEGORICAL -> passCategories != null;
            };
        }

        /** Whether a score passes; null when the config defines no passing. */
        Boolean passes(Double value, String category) {
            return switch (type) {
                case NUMERIC -> passThreshold == null || value == null ? null
                        : higherIsBetter ? value >= passThreshold : value <= passThreshold;
                case BOOLEAN -> value == null ? null : (value == 1) == higherIsBetter;
                case CATEGORICAL -> passCategories == null || category == null ? null
                        : passCategories.contains(category);
            };
        }
    }

    private final JdbcTemplate jdbc;
    private final ProjectIds projectIds;
    private final TrackstackProperties.Limits limits;

    ScoreConfigs(JdbcTemplate jdbc, ProjectIds projectIds, TrackstackProperties properties) {
        this.jdbc = jdbc;
        this.projectIds = projectIds;
        this.limits = properties.limits();
    }

    List<ScoreConfig> all(String project) {
        return jdbc.query("select " + COLUMNS + " from score_config where project_id = (select id from project"
                + " where name = ?) order by name", CONFIG, project);
    }

    @Transactional
    ScoreConfig set(String project, ScoreConfig config) {
        checkName("config.name", config.name());
        if (project == null || project.isBlank() || project.length() > limits.nameLength()) {
            throw ApiException.badInput("project must be 1 to " + limits.nameLength() + " characters");
        }
        boolean numeric = config.type() == ScoreType.NUMERIC;
        boolean categorical = config.type() == ScoreType.CATEGORICAL;
        if (!numeric && (config.min() != null || config.max() != null || config.passThreshold() != null)) {
            throw ApiException.badInput("min, max and passThreshold are for NUMERIC scores only");
        }
        if (numeric && config.min() != null && config.max() != null && config.min() > config.max()) {
            throw ApiException.badInput("min " + config.min() + " is above max " + config.max());
        }
        if (!categorical && (config.categories() != null || config.passCategories() != null)) {
            throw ApiException.badInput("categories and passCategories are for CATEGORICAL scores only");
        }
        for (List<String> list : Arrays.asList(config.categories(), config.passCategories())) {
            if (list != null && list.size() > MAX_CATEGORIES) {
                throw ApiException.limit(list.size() + " categories", MAX_CATEGORIES);
            }
            if (list != null) {
                list.forEach(category -> checkName("a category", category));
            }
        }
        if (config.categories() != null && config.passCategories() != null
                && !new HashSet<>(config.categories()).containsAll(config.passCategories())) {
            throw ApiException.badInput("passCategories must be among categories");
        }
        long projectId = projectIds.getOrCreate(project);
        return jdbc.queryForObject("""
                insert into score_config (project_id, name, type, min_value, max_value, categories, pass_categories,
                                          higher_is_better, pass_threshold, inferred)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, false)
                on conflict (project_id, name) do update set type = excluded.type, min_value = excluded.min_value,
                    max_value = excluded.max_value, categories = excluded.categories,
                    pass_categories = excluded.pass_categories, higher_is_better = excluded.higher_is_better,
                    pass_threshold = excluded.pass_threshold, inferred = false, updated_at = now()
                returning\s""" + COLUMNS, CONFIG, projectId, config.name(), config.type().name(), config.min(),
                config.max(), array(config.categories()), array(config.passCategories()), config.higherIsBetter(),
                config.passThreshold());
    }

    /**
     * The configs of these names (with the type a first score of each would infer), inferring those missing: a
     * concurrent call inferring the same name yields to the first.
     */
    Map<String, ScoreConfig> resolve(long projectId, Map<String, ScoreType> types) {
        String[] names = types.keySet().toArray(String[]::new);
        jdbc.update("""
                insert into score_config (project_id, name, type, higher_is_better, inferred)
                select ?, n.name, n.type, true, true from unnest(?::text[], ?::text[]) as n(name, type)
                order by n.name
                on conflict (project_id, name) do nothing
                """, projectId, names, Arrays.stream(names).map(n -> types.get(n).name()).toArray(String[]::new));
        return byName(jdbc.query("select " + COLUMNS + " from score_config where project_id = ? and name = any(?)",
                CONFIG, projectId, names));
    }

    Map<String, ScoreConfig> configs(long projectId, Collection<String> names) {
        return byName(jdbc.query("select " + COLUMNS + " from score_config where project_id = ? and name = any(?)",
                CONFIG, projectId, names.toArray(String[]::new)));
    }

    /** The score's value as stored (booleans as 1 / 0), checked against the config. */
    static Double check(String what, ScoreConfig config, Double value, Boolean bool, String category) {
        switch (config.type()) {
            case NUMERIC -> {
                if (value == null) {
                    throw invalid(what + ": " + config.name() + " is a NUMERIC score: give value");
                }
                if (config.min() != null && value < config.min() || config.max() != null && value > config.max()) {
                    throw invalid(what + ": " + config.name() + " = " + value + " is outside [" + config.min() + ", "
                            + config.max() + "]");
                }
                return value;
            }
            case BOOLEAN -> {
                if (bool == null) {
                    throw invalid(what + ": " + config.name() + " is a BOOLEAN score: give boolean");
                }
                return bool ? 1.0 : 0.0;
            }
            default -> {
                if (category == null) {
                    throw invalid(what + ": " + config.name() + " is a CATEGORICAL score: give category");
                }
                if (config.categories() != null && !config.categories().contains(category)) {
                    throw invalid(what + ": " + config.name() + " has no category '" + category + "'");
                }
                return null;
            }
        }
    }

    /** The type of exactly one of value, boolean and category. */
    static ScoreType typeOf(String what, Double value, Boolean bool, String category) {
        int given = (value == null ? 0 : 1) + (bool == null ? 0 : 1) + (category == null ? 0 : 1);
        if (given != 1) {
            throw invalid(what + " needs exactly one of value, boolean and category");
        }
        return value != null ? ScoreType.NUMERIC : bool != null ? ScoreType.BOOLEAN : ScoreType.CATEGORICAL;
    }

    static ApiException invalid(String message) {
        return new ApiException(ErrorCode.INVALID_SCORE, message);
    }

    void checkName(String what, String name) {
        int max = limits.nameLength() - SERIES_PREFIX;
        if (name == null || name.isBlank() || name.length() > max) {
            throw ApiException.badInput(what + " must be 1 to " + max + " characters");
        }
    }

    private static Map<String, ScoreConfig> byName(List<ScoreConfig> configs) {
        Map<String, ScoreConfig> map = new HashMap<>();
        configs.forEach(c -> map.put(c.name(), c));
        return map;
    }

    private static String[] array(List<String> list) {
        return list == null ? null : list.toArray(String[]::new);
    }

    private static List<String> list(Array array) throws SQLException {
        return array == null ? null : List.of((String[]) array.getArray());
    }

    private static final RowMapper<ScoreConfig> CONFIG = (ResultSet rs, int i) -> new ScoreConfig(rs.getString(1),
            ScoreType.valueOf(rs.getString(2)), (Double) rs.getObject(3), (Double) rs.getObject(4),
            list(rs.getArray(5)), list(rs.getArray(6)), rs.getBoolean(7), (Double) rs.getObject(8), rs.getBoolean(9),
            rs.getObject(10, OffsetDateTime.class));
}
