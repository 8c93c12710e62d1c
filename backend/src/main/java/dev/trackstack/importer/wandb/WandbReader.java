package dev.trackstack.importer.wandb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.springframework.stereotype.Component;

import dev.trackstack.importer.ImportException;
import dev.trackstack.importer.ImportFormat;
import dev.trackstack.importer.ImportSink;
import dev.trackstack.importer.ImportSource;
import dev.trackstack.importer.RunReader;

/**
 * Reads W&B runs from their offline run files, as `wandb offline` (or any run, online ones keep the file too) leaves
 * them: a wandb directory (its offline-run-* and run-* directories), one run directory, or one run-&lt;id&gt;.wandb
 * file; or, for a URL, a project (or one run) on a W&B server through its API ({@link WandbServer}). Mapping and
 * what is not imported: docs/importing.md, "W&B".
 */
@Component
public class WandbReader implements RunReader {

    @Override
    public ImportFormat format() {
        return ImportFormat.WANDB;
    }

    @Override
    public void read(ImportSource source, ImportSink sink) throws IOException {
        if (source.isUrl()) {
            new WandbServer(source.location(), source.apiKey(), sink).read();
            return;
        }
        Path path = Path.of(source.location());
        if (Files.isRegularFile(path)) {
            try {
                new RunFile(path, sink).read();
            } catch (WandbLog.CorruptRecord e) {
                throw new ImportException(path + " is not a readable W&B run file: " + e.getMessage());
            }
            return;
        }
        if (!Files.isDirectory(path)) {
            throw new ImportException("There is no file or directory " + path);
        }
        List<Path> files = runFiles(path);
        if (files.isEmpty()) {
            for (Path directory : runDirectories(path)) {
                List<Path> inDirectory = runFiles(directory);
                if (inDirectory.isEmpty()) {
                    sink.unmapped(directory.getFileName() + ": no run-*.wandb file in it");
                }
                files = Stream.concat(files.stream(), inDirectory.stream()).toList();
            }
        }
        if (files.isEmpty()) {
            throw new ImportException(path + " holds no W&B run: no run-*.wandb file, no offline-run-* or run-*"
                    + " directory");
        }
        for (Path file : files) {
            try {
                new RunFile(file, sink).read();
            } catch (WandbLog.CorruptRecord e) {
                sink.unmapped(path.relativize(file) + " not imported: " + e.getMessage());
            }
        }
    }

    private static List<Path> runFiles(Path directory) throws IOException {
        return list(directory, "run-*.wandb", Files::isRegularFile);
    }

    private static List<Path> runDirectories(Path directory) throws IOException {
        return Stream.concat(list(directory, "offline-run-*", Files::isDirectory).stream(),
                list(directory, "run-*", Files::isDirectory).stream()).sorted().toList();
    }

    private static List<Path> list(Path directory, String glob, Predicate<Path> kind)
            throws IOException {
        var matcher = directory.getFileSystem().getPathMatcher("glob:" + glob);
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(entry -> matcher.matches(entry.getFileName()) && kind.test(entry)).sorted()
                    .toList();
        }
    }
}
