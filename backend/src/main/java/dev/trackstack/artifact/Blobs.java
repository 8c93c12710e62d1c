package dev.trackstack.artifact;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Puts verified files into the blob store: completed uploads, and the images that media items hold. The blob's row
 * is written (or its lock waited for) before the file is put, in one transaction, so a collection deleting the same
 * blob at that moment finishes first, file included; the row's claim then spares the blob for the upload timeout,
 * until something holding it commits.
 */
@Service
public class Blobs {

    private final JdbcTemplate jdbc;
    private final BlobStore store;

    Blobs(JdbcTemplate jdbc, BlobStore store) {
        this.jdbc = jdbc;
        this.store = store;
    }

    /** Stores the file (in the artifacts directory, which it leaves) as the blob {@code sha256}. */
    @Transactional
    public void put(String sha256, Path verifiedFile, long size) {
        jdbc.update("""
                insert into blob (sha256, size) values (?, ?)
                on conflict (sha256) do update set claimed_at = now()""", sha256, size);
        try {
            store.put(sha256, verifiedFile, size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
