package dev.trackstack.importer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.Ids;
import dev.trackstack.system.TrackstackProperties;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

/** Starts imports, runs them in the background, and answers how far they are. */
@Service
class ImportJobs {

    private static final Logger log = LoggerFactory.getLogger(ImportJobs.class);

    private final Map<ImportFormat, RunReader> readers;
    private final ImportStore store;
    private final TrackstackProperties.Limits limits;
    /**
     * One import at a time: two imports of one source must not race to make its runs, and an import is bulk work
     * that should leave the database's other connections to training scripts that log live.
     */
    private final ExecutorService worker = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "trackstack-import");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean stopping;

    ImportJobs(List<RunReader> readers, ImportStore store, TrackstackProperties properties) {
        this.readers = readers.stream().collect(Collectors.toMap(RunReader::format, Function.identity()));
        this.store = store;
        this.limits = properties.limits();
    }

    @EventListener(ApplicationReadyEvent.class)
    void abandonLeftovers() {
        int abandoned = store.abandonRunning();
        if (abandoned > 0) {
            log.warn("{} import(s) were running when the server stopped: marked FAILED; import those sources again",
                    abandoned);
        }
    }

    ImportJob start(ImportInput input) {
        RunReader reader = readers.get(input.format());
        if (reader == null) {
            throw ApiException.badInput("This server cannot import " + input.format() + " yet");
        }
        String location = input.source() == null ? "" : input.source().trim();
        if (location.isEmpty()) {
            throw ApiException.badInput("source must name a path on the server's machine or a URL");
        }
        ImportSource source = new ImportSource(location, input.apiKey());
        if (!source.isUrl()) {
            Path path = Path.of(location).toAbsolutePath();
            if (!Files.exists(path)) {
                throw ApiException.badInput("There is no " + path + " on the server's machine: the server reads the "
                        + "source itself, so give a path there");
            }
            source = new ImportSource(path.toString(), input.apiKey());
        }
        String model = input.model() != null ? input.model() : input.format().name().toLowerCase(Locale.ROOT);
        long jobId = store.start(input.format(), source.location());
        JobSink sink = new JobSink(jobId, input.project(), model, store, limits);
        ImportSource read = source;
        worker.execute(() -> run(jobId, reader, read, sink));
        return store.job(jobId).orElseThrow();
    }

    private void run(long jobId, RunReader reader, ImportSource source, JobSink sink) {
        try {
            reader.read(source, sink);
            sink.flushAll();
            store.end(jobId, ImportJob.State.SUCCEEDED, null);
            JobSink.Counts counts = sink.counts();
            log.info("Import {} of {} {}: {} runs ({} new), {} points stored, {} already there", jobId,
                    reader.format(), source.location(), counts.runsRead(), counts.runsCreated(), counts.pointsStored(),
                    counts.pointsDuplicate());
        } catch (ImportException | ApiException e) {
            fail(jobId, sink, e.getMessage());
        } catch (Exception e) {
            if (stopping) {
                fail(jobId, sink, "The server stopped during the import. Import the source again to finish it: "
                        + "nothing is stored twice.");
            } else {
                log.error("Import {} of {} failed", jobId, source.location(), e);
                fail(jobId, sink, "The import stopped on an unexpected error (" + e.getClass().getSimpleName()
                        + "); the server's log has the details. Importing again stores nothing twice.");
            }
        }
    }

    /** Keeps what was read before the failure (its points are whole batches, like logMetrics calls). */
    private void fail(long jobId, JobSink sink, String error) {
        try {
            sink.flushAll();
        } catch (RuntimeException e) {
            log.warn("Import {}: points read before it failed could not be stored", jobId, e);
        }
        store.end(jobId, ImportJob.State.FAILED, error);
    }

    ImportJob job(String id) {
        return store.job(Ids.parse(id, "import")).orElse(null);
    }

    List<Long> runIds(ImportJob job) {
        return store.runIds(Long.parseLong(job.id()));
    }

    @PreDestroy
    void stop() throws InterruptedException {
        stopping = true;
        worker.shutdownNow();
        worker.awaitTermination(10, TimeUnit.SECONDS);
    }
}
