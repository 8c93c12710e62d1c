package dev.trackstack.artifact;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import dev.trackstack.system.AfterCommit;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Removes versions (deleteArtifactVersion, a run's deletion, retention) and the blobs nothing holds any more.
 *
 * <p>A blob is deleted only when no artifact_file nor media_blob (the images of media items) names it, and never
 * under a commit: logArtifact locks the blob
 * rows it references FOR SHARE until it commits, the collector takes rows FOR UPDATE SKIP LOCKED (passing over
 * those) and then deletes in a statement of its own, whose fresh snapshot sees any commit that finished in
 * between. An upload that completes writes the blob's row before putting the file, so it waits for a deletion of
 * the same blob to finish, file included. Unreferenced blobs younger than the upload timeout are spared (their
 * commit may be coming), except those a deletion just released, which go at once.
 */
@Service
public class ArtifactDeletion {

    private static final int BATCH = 1000;
    private static final String UNREFERENCED = """
             and not exists (select 1 from artifact_file f where f.sha256 = b.sha256)
             and not exists (select 1 from media_blob m where m.sha256 = b.sha256)""";

    private final JdbcTemplate jdbc;
    private final BlobStore store;
    private final ImageRenditions renditions;
    private final TransactionTemplate ownTransaction;
    private final Duration uploadTimeout;

    ArtifactDeletion(JdbcTemplate jdbc, BlobStore store, ImageRenditions renditions,
            PlatformTransactionManager transactions, ArtifactProperties properties) {
        this.jdbc = jdbc;
        this.store = store;
        this.renditions = renditions;
        this.ownTransaction = new TransactionTemplate(transactions);
        // After a commit the caller's resources are still bound: the collection needs a transaction of its own.
        ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.uploadTimeout = properties.uploadTimeout();
    }

    /** Deletes the versions the runs logged, with the caller's transaction (RunDeletion). */
    @Transactional
    public void deleteLoggedBy(Long[] runIds) {
        deleteVersions(jdbc.queryForList("select id from artifact_version where run_id = any(?)", Long.class,
                (Object) runIds));
    }

    /**
     * Deletes the versions with their files, aliases and lineage, and the artifacts left without a version; once
     * the transaction commits, the blobs only they held.
     */
    @Transactional
    public void deleteVersions(List<Long> versionIds) {
        if (versionIds.isEmpty()) {
            return;
        }
        Long[] ids = versionIds.toArray(Long[]::new);
        List<String> released = jdbc.queryForList("select distinct sha256 from artifact_file where version_id = any(?)",
                String.class, (Object) ids);
        List<Long> artifacts = jdbc.queryForList("""
                select distinct artifact_id from artifact_version where id = any(?)""", Long.class, (Object) ids);
        jdbc.update("delete from artifact_version where id = any(?)", (Object) ids);
        jdbc.update("""
                delete from artifact a where a.id = any(?)
                and not exists (select 1 from artifact_version v where v.artifact_id = a.id)""",
                (Object) artifacts.toArray(Long[]::new));
        AfterCommit.run(() -> deleteUnreferenced(released));
    }

    /** Deletes these blobs if nothing holds them, whatever their age; answers how many went. */
    int deleteUnreferenced(List<String> sha256s) {
        return sha256s.isEmpty() ? 0 : deleteUnreferenced("sha256 = any(?)", (Object) sha256s.toArray(String[]::new));
    }

    /** Deletes the blobs nothing holds, claimed longer than the upload timeout ago. */
    int deleteUnreferenced() {
        return deleteUnreferenced("claimed_at < now() - make_interval(secs => ?)", (double) uploadTimeout.toSeconds());
    }

    private int deleteUnreferenced(String which, Object argument) {
        AtomicInteger deleted = new AtomicInteger();
        while (true) {
            Integer lockedCount = ownTransaction.execute(status -> {
                List<String> locked = jdbc.queryForList("select sha256 from blob b where " + which + UNREFERENCED
                        + " limit ? for update skip locked", String.class, argument, BATCH);
                List<String> gone = locked.isEmpty() ? List.of() : jdbc.queryForList(
                        "delete from blob b where sha256 = any(?)" + UNREFERENCED + " returning sha256",
                        String.class, (Object) locked.toArray(String[]::new));
                for (String sha256 : gone) {
                    try {
                        store.delete(sha256);
                        renditions.delete(sha256);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                deleted.addAndGet(gone.size());
                return locked.size();
            });
            if (lockedCount < BATCH) {
                return deleted.get();
            }
        }
    }
}
