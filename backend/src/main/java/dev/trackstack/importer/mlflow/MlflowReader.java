package dev.trackstack.importer.mlflow;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

import dev.trackstack.importer.ImportException;
import dev.trackstack.importer.ImportFormat;
import dev.trackstack.importer.ImportSink;
import dev.trackstack.importer.ImportSource;
import dev.trackstack.importer.RunReader;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads MLflow runs, by the form of the source: an {@code mlruns} directory (the file store), an MLflow database (a
 * SQLite file, {@code sqlite:///path}, or a {@code postgresql://} or {@code jdbc:postgresql:} URL) or a running
 * MLflow server ({@code http(s)://}, through its REST API 2.0).
 */
@Component
class MlflowReader implements RunReader {

    private final JsonMapper json;
    private final TrackstackProperties.Limits limits;

    MlflowReader(JsonMapper json, TrackstackProperties properties) {
        this.json = json;
        this.limits = properties.limits();
    }

    @Override
    public ImportFormat format() {
        return ImportFormat.MLFLOW;
    }

    @Override
    public void read(ImportSource source, ImportSink sink) throws IOException {
        MlflowImport target = new MlflowImport(sink, limits);
        store(source).read(target);
        target.close();
    }

    private MlflowStore store(ImportSource source) {
        String location = source.location().strip();
        String lower = location.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            return new ServerStore(URI.create(location), source.apiKey(), json);
        }
        if (lower.startsWith("sqlite:///")) {
            // SQLAlchemy's form, as MLflow's --backend-store-uri takes it: sqlite:///relative or sqlite:////absolute.
            return SqlStore.sqlite(path(location.substring("sqlite:///".length())));
        }
        if (lower.matches("postgres(ql)?(\\+[a-z0-9_]+)?://.*") || lower.startsWith("jdbc:postgresql:")) {
            return SqlStore.postgresql(location, source.apiKey());
        }
        if (source.isUrl()) {
            throw new ImportException("An MLflow source is an mlruns directory, a SQLite file, a sqlite:///, "
                    + "postgresql:// or http(s):// URL, not " + location.substring(0, lower.indexOf("://") + 3) + ".");
        }
        Path path = path(location);
        if (Files.isDirectory(path)) {
            return new FileStore(path);
        }
        if (Files.isRegularFile(path)) {
            return SqlStore.sqlite(path);
        }
        throw new ImportException("There is no file or directory " + path + " on the server.");
    }

    private static Path path(String location) {
        try {
            return Path.of(location);
        } catch (InvalidPathException e) {
            throw new ImportException("\"" + location + "\" is not a path: " + e.getReason() + ".");
        }
    }
}
