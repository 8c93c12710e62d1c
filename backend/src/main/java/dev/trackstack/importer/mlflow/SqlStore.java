package dev.trackstack.importer.mlflow;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.trackstack.importer.ImportException;

/**
 * An MLflow SQL store (a database made by {@code mlflow server --backend-store-uri sqlite:///…} or {@code
 * postgresql://…}): the tables experiments, experiment_tags, runs, params, tags and metrics of MLflow's schema.
 */
final class SqlStore implements MlflowStore {

    private static final List<String> TABLES = List.of("experiments", "experiment_tags", "runs", "params", "tags",
            "metrics");
    private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private final Driver driver;
    private final String url;
    private final Properties properties;
    /** The database as the messages name it ("SQLite database /data/mlflow.db"), without a password. */
    private final String name;

    private SqlStore(Driver driver, String url, Properties properties, String name) {
        this.driver = driver;
        this.url = url;
        this.properties = properties;
        this.name = name;
    }

    static SqlStore sqlite(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ImportException("There is no SQLite file " + file + " on the server.");
        }
        byte[] header = new byte[SQLITE_HEADER.length];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(header, 0, header.length) != header.length || !Arrays.equals(header, SQLITE_HEADER)) {
                throw new ImportException(file + " is neither an mlruns directory nor a SQLite database.");
            }
        } catch (IOException e) {
            throw new ImportException("Cannot read " + file + ": " + e.getMessage() + ".", e);
        }
        Properties properties = new Properties();
        properties.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY: an import never writes to its source
        return new SqlStore(new org.sqlite.JDBC(), "jdbc:sqlite:" + file, properties, "SQLite database " + file);
    }

    /** From {@code postgresql://user:password@host:port/database} (SQLAlchemy's form) or a JDBC URL. */
    static SqlStore postgresql(String location, String password) {
        Properties properties = new Properties();
        properties.setProperty("connectTimeout", "10");
        if (password != null) {
            properties.setProperty("password", password);
        }
        if (location.regionMatches(true, 0, "jdbc:", 0, 5)) {
            return new SqlStore(new org.postgresql.Driver(), location, properties,
                    "PostgreSQL database " + location.replaceAll("(?i)password=[^&]*", "password=…"));
        }
        URI uri;
        try {
            uri = URI.create(location);
        } catch (IllegalArgumentException e) {
            throw new ImportException("\"" + location + "\" is not a PostgreSQL URL: " + e.getMessage() + ".");
        }
        if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
            throw new ImportException("A PostgreSQL URL names a host and a database: postgresql://user:password@host"
                    + ":port/database.");
        }
        if (uri.getRawUserInfo() != null) {
            String[] user = uri.getRawUserInfo().split(":", 2);
            properties.setProperty("user", URLDecoder.decode(user[0], StandardCharsets.UTF_8));
            if (user.length == 2) {
                properties.setProperty("password", URLDecoder.decode(user[1], StandardCharsets.UTF_8));
            }
        }
        String database = "//" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + uri.getRawPath();
        return new SqlStore(new org.postgresql.Driver(),
                "jdbc:postgresql:" + database + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()), properties,
                "PostgreSQL database " + database.substring(2));
    }

    @Override
    public void read(MlflowImport target) throws IOException {
        try (Connection connection = connect()) {
            checkTables(connection);
            // Out of autocommit, PostgreSQL streams a result by the fetch size instead of holding it whole.
            connection.setAutoCommit(false);
            for (MlflowRun.Experiment experiment : experiments(connection)) {
                if (experiment.deleted()) {
                    target.skip(experiment, "deleted in MLflow");
                    continue;
                }
                target.experiment(experiment);
                for (MlflowRun run : runs(connection, experiment.id())) {
                    target.run(experiment, run, points -> metrics(connection, run.id(), points));
                }
            }
            connection.rollback();
        } catch (SQLException e) {
            throw new IOException("Reading the " + name + " failed: " + e.getMessage(), e);
        }
    }

    private Connection connect() {
        try {
            Connection connection = driver.connect(url, properties);
            if (connection == null) {
                throw new ImportException("\"" + url + "\" is not a URL the PostgreSQL driver takes.");
            }
            connection.setReadOnly(true);
            return connection;
        } catch (SQLException e) {
            throw new ImportException("Cannot open the " + name + ": " + e.getMessage(), e);
        }
    }

    private void checkTables(Connection connection) {
        for (String table : TABLES) {
            try (Statement statement = connection.createStatement()) {
                statement.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0").close();
            } catch (SQLException e) {
                throw new ImportException("The " + name + " is not an MLflow tracking database: it has no table "
                        + table + ".", e);
            }
        }
    }

    private static List<MlflowRun.Experiment> experiments(Connection connection) throws SQLException {
        List<MlflowRun.Experiment> experiments = new ArrayList<>();
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(
                "SELECT experiment_id, name, lifecycle_stage, (SELECT COUNT(*) FROM experiment_tags t "
                        + "WHERE t.experiment_id = e.experiment_id) FROM experiments e ORDER BY experiment_id")) {
            while (rows.next()) {
                experiments.add(new MlflowRun.Experiment(rows.getString(1), rows.getString(2),
                        "deleted".equals(rows.getString(3)), rows.getInt(4)));
            }
        }
        return experiments;
    }

    private static List<MlflowRun> runs(Connection connection, String experimentId) throws SQLException {
        Map<String, Map<String, String>> params = values(connection, "params", experimentId);
        Map<String, Map<String, String>> tags = values(connection, "tags", experimentId);
        List<MlflowRun> runs = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT run_uuid, name, status, start_time, "
                + "end_time, lifecycle_stage, artifact_uri FROM runs WHERE experiment_id = ?")) {
            statement.setInt(1, Integer.parseInt(experimentId));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String id = rows.getString(1);
                    runs.add(new MlflowRun(id, rows.getString(2), rows.getString(3), millis(rows, 4), millis(rows, 5),
                            "deleted".equals(rows.getString(6)), rows.getString(7),
                            params.getOrDefault(id, Map.of()), tags.getOrDefault(id, Map.of())));
                }
            }
        }
        runs.sort(MlflowRun.ORDER);
        return runs;
    }

    /** The params or tags of the experiment's runs, by run. */
    private static Map<String, Map<String, String>> values(Connection connection, String table, String experimentId)
            throws SQLException {
        Map<String, Map<String, String>> values = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT v.run_uuid, v.key, v.value FROM "
                + table + " v JOIN runs r ON r.run_uuid = v.run_uuid WHERE r.experiment_id = ?")) {
            statement.setInt(1, Integer.parseInt(experimentId));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String value = rows.getString(3);
                    values.computeIfAbsent(rows.getString(1), run -> new HashMap<>())
                            .put(rows.getString(2), value == null ? "" : value);
                }
            }
        }
        return values;
    }

    /** Every value of every metric of the run, the metric's values together, each in the order MLflow logged them. */
    private static void metrics(Connection connection, String runId, MlflowImport.Points points)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT key, value, timestamp, step, is_nan "
                + "FROM metrics WHERE run_uuid = ? ORDER BY key, timestamp, step")) {
            statement.setFetchSize(10_000);
            statement.setString(1, runId);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    // MLflow stores NaN as 0 with is_nan set (and infinities as ±Double.MAX_VALUE, which stay).
                    points.add(rows.getString(1), rows.getLong(4), rows.getBoolean(5) ? Double.NaN : rows.getDouble(2),
                            rows.getLong(3));
                }
            }
        }
    }

    private static Long millis(ResultSet rows, int column) throws SQLException {
        long value = rows.getLong(column);
        return rows.wasNull() ? null : value;
    }
}
