package dev.trackstack.artifact;

import java.io.IOException;
import java.time.Duration;

import dev.trackstack.system.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Every {@code trackstack.artifacts.collect-interval}: deletes the versions past the retention (if set), the
 * uploads untouched for the upload timeout with their bytes, partial files of no upload, and the blobs nothing
 * holds (see {@link ArtifactDeletion} for why that is safe beside uploads and commits).
 */
@Component
@EnableScheduling
class ArtifactCollector implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(ArtifactCollector.class);

    /** What one collection removed. */
    record Collected(int versions, int uploads, int orphanFiles, int blobs) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final ArtifactDeletion deletion;
    private final Uploads uploads;
    private final ArtifactProperties properties;

    ArtifactCollector(JdbcTemplate jdbc, TransactionTemplate transactions, ArtifactDeletion deletion,
            Uploads uploads, ArtifactProperties properties) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.deletion = deletion;
        this.uploads = uploads;
        this.properties = properties;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        Duration interval = properties.collectInterval();
        registrar.addFixedDelayTask(new FixedDelayTask(this::scheduled, interval, interval));
    }

    /** A failure is one line in the log; the next collection tries again. */
    private void scheduled() {
        try {
            Collected collected = collect();
            if (!collected.equals(new Collected(0, 0, 0, 0))) {
                log.info("Artifact collection: {}", collected);
            }
        } catch (DataAccessException | IOException | ApiException | java.io.UncheckedIOException e) {
            log.warn("Artifact collection skipped: {}", e.toString());
        }
    }

    Collected collect() throws IOException {
        int versions = 0;
        if (properties.retention() != null) {
            versions = transactions.execute(status -> {
                var expired = jdbc.queryForList("""
                        select v.id from artifact_version v
                        where v.created_at < now() - make_interval(secs => ?)
                        and v.version < (select max(w.version) from artifact_version w where w.artifact_id = v.artifact_id)
                        and not exists (select 1 from artifact_alias a where a.version_id = v.id)""", Long.class,
                        (double) properties.retention().toSeconds());
                deletion.deleteVersions(expired);
                return expired.size();
            });
        }
        int stale = uploads.removeStale(properties.uploadTimeout());
        int orphans = uploads.removeOrphans();
        return new Collected(versions, stale, orphans, deletion.deleteUnreferenced());
    }
}
