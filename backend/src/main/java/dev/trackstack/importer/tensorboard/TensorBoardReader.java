package dev.trackstack.importer.tensorboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.springframework.stereotype.Component;

import dev.trackstack.importer.ImportException;
import dev.trackstack.importer.ImportFormat;
import dev.trackstack.importer.ImportSink;
import dev.trackstack.importer.ImportSource;
import dev.trackstack.importer.RunReader;

/**
 * Reads a TensorBoard log directory: one run per directory that holds event files (events.out.tfevents.*), as
 * TensorBoard shows them, keyed by that directory relative to the log directory ("." for the log directory itself).
 * Scalars become points, the hparams plugin's session start info the run's hyperparameters, text summaries console
 * lines; everything else is counted as not imported.
 */
@Component
public class TensorBoardReader implements RunReader {

    static final String EVENT_FILE_PREFIX = "events.out.tfevents.";

    @Override
    public ImportFormat format() {
        return ImportFormat.TENSORBOARD;
    }

    @Override
    public void read(ImportSource source, ImportSink sink) throws IOException {
        Path logDir = logDir(source);
        Map<String, List<Path>> runs = eventFiles(logDir);
        if (runs.isEmpty()) {
            throw new ImportException("The log directory " + logDir + " holds no TensorBoard event file ("
                    + EVENT_FILE_PREFIX + "*)");
        }
        for (Map.Entry<String, List<Path>> run : runs.entrySet()) {
            String key = run.getKey();
            String name = key.equals(".") && logDir.getFileName() != null ? logDir.getFileName().toString() : key;
            new RunImport(key, name, run.getValue(), sink).read();
        }
    }

    private static Path logDir(ImportSource source) {
        if (source.isUrl()) {
            throw new ImportException("A TensorBoard import reads a log directory on the server's machine, not a URL ("
                    + source.location() + ")");
        }
        Path logDir;
        try {
            logDir = Path.of(source.location()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new ImportException("\"" + source.location() + "\" is not a path: " + e.getReason());
        }
        if (!Files.isDirectory(logDir)) {
            throw new ImportException(Files.exists(logDir) ? logDir + " is not a directory: a TensorBoard import reads"
                    + " a log directory" : "There is no log directory " + logDir + " on the server's machine");
        }
        return logDir;
    }

    /** The event files of each run directory, by key, in name order. */
    private static Map<String, List<Path>> eventFiles(Path logDir) throws IOException {
        try (Stream<Path> paths = Files.walk(logDir)) {
            return paths.filter(path -> path.getFileName().toString().startsWith(EVENT_FILE_PREFIX)
                            && Files.isRegularFile(path))
                    .sorted()
                    .collect(Collectors.groupingBy(path -> key(logDir, path.getParent()), TreeMap::new,
                            Collectors.toList()));
        } catch (UncheckedIOException e) {
            throw e.getCause(); // a directory of the tree that cannot be read
        }
    }

    private static String key(Path logDir, Path runDir) {
        String relative = logDir.relativize(runDir).toString().replace(runDir.getFileSystem().getSeparator(), "/");
        return relative.isEmpty() ? "." : relative;
    }
}
