package dev.trackstack.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.regex.Pattern;

import dev.trackstack.project.ProjectIds;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import dev.trackstack.system.Sha256;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Resumable uploads (docs/api.md, "Uploading"). The bytes stream to {@code uploads/<id>} and through SHA-256 in
 * the same pass, 1 MiB at a time, never held whole. The upload row's offset is the truth: a part cut off midway
 * keeps what arrived, and the next part starts there. The digest's state at the offset is kept in memory between
 * parts, so that a file sent in many parts is hashed once; after a restart (or on another instance) the bytes on
 * disk are hashed again. Only verified bytes reach the blob store.
 */
@Service
public class Uploads {

    static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final int BUFFER = 1 << 20;

    /** An unfinished upload; {@code offset} is how many of its bytes have arrived. */
    record Upload(UUID id, long projectId, String project, String sha256, long size, long offset) {
    }

    /** What POST answers: the upload to continue, made now or earlier; null when the blob is stored already. */
    record Started(Upload upload, boolean created) {
    }

    /** A part that does not start where the upload is. */
    static final class OffsetConflict extends ApiException {

        final long offset;

        OffsetConflict(long offset) {
            super(ErrorCode.CONFLICT, "The upload is at offset " + offset + ": send the bytes from there");
            this.offset = offset;
        }
    }

    /** The digest of an upload's first {@code offset} bytes. */
    private record DigestState(long offset, MessageDigest digest) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final BlobStore store;
    private final Blobs blobs;
    private final ArtifactDirectory directory;
    private final ProjectIds projectIds;
    private final long maxFileBytes;
    private final Map<UUID, DigestState> digests = new ConcurrentHashMap<>();
    /** Threads that write and hash uploads beside the requests reading them (UploadWriter); daemons, idle ones expire. */
    private final ExecutorService hashers = Executors.newCachedThreadPool(hashThreads());
    /** Uploads a request is appending to: a second one at once would interleave its bytes. */
    private final Set<UUID> appending = ConcurrentHashMap.newKeySet();

    Uploads(JdbcTemplate jdbc, TransactionTemplate transactions, BlobStore store, Blobs blobs,
            ArtifactDirectory directory, ProjectIds projectIds, ArtifactProperties properties) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.store = store;
        this.blobs = blobs;
        this.directory = directory;
        this.projectIds = projectIds;
        this.maxFileBytes = properties.maxFileBytes().toBytes();
    }

    private static ThreadFactory hashThreads() {
        CustomizableThreadFactory threads = new CustomizableThreadFactory("upload-hash-");
        threads.setDaemon(true);
        return threads;
    }

    Started start(String project, String sha256, Long size) throws IOException {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw ApiException.badInput("sha256 must be 64 lower-case hex digits");
        }
        if (size == null || size < 0) {
            throw ApiException.badInput("size must be a number of bytes, 0 or more");
        }
        if (size > maxFileBytes) {
            throw ApiException.limit("A file of " + size + " bytes", maxFileBytes);
        }
        // Announcing a stored blob claims it anew, so that the collector spares it until the commit comes.
        if (jdbc.update("update blob set claimed_at = now() where sha256 = ?", sha256) > 0 && store.exists(sha256)) {
            return new Started(null, false);
        }
        long projectId = projectIds.getOrCreate(project);
        int created = jdbc.update("""
                insert into upload (id, project_id, sha256, size) values (?, ?, ?, ?)
                on conflict (project_id, sha256) do nothing""", UUID.randomUUID(), projectId, sha256, size);
        return new Started(jdbc.queryForObject(SELECT + " where u.project_id = ? and u.sha256 = ?", Uploads::upload,
                projectId, sha256), created == 1);
    }

    private static final String SELECT = """
            select u.id, u.project_id, p.name, u.sha256, u.size, u."offset"
            from upload u join project p on p.id = u.project_id""";

    Optional<Upload> find(String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return jdbc.query(SELECT + " where u.id = ?", Uploads::upload, uuid).stream().findFirst();
    }

    private static Upload upload(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new Upload(rs.getObject("id", UUID.class), rs.getLong("project_id"), rs.getString("name"),
                rs.getString("sha256"), rs.getLong("size"), rs.getLong("offset"));
    }

    Path partial(UUID id) {
        return directory.uploads().resolve(id.toString());
    }

    /**
     * Appends the body at {@code offset} and answers the offset reached; at the upload's size the bytes are
     * verified and stored as the blob, and the upload is gone.
     *
     * @param length the body's Content-Length, -1 when chunked
     */
    long append(Upload upload, long offset, long length, InputStream body) throws IOException {
        if (!appending.add(upload.id())) {
            throw new ApiException(ErrorCode.CONFLICT, "Another request is sending bytes to this upload");
        }
        try {
            Path partial = partial(upload.id());
            long here = Files.exists(partial) ? Files.size(partial) : 0;
            if (here < upload.offset()) {
                // The first bytes are on another instance's disk (several replicas), or were lost with this one's:
                // the upload goes on from what is here, rather than failing until it times out.
                jdbc.update("update upload set \"offset\" = ?, updated_at = now() where id = ?", here, upload.id());
                digests.remove(upload.id());
                throw new OffsetConflict(here);
            }
            if (offset != upload.offset()) {
                throw new OffsetConflict(upload.offset());
            }
            if (length >= 0 && offset + length > upload.size()) {
                throw tooMany(upload);
            }
            UploadWriter writer = new UploadWriter(partial, offset, upload.size(), digestAt(upload, partial).digest(),
                    hashers, BUFFER);
            try (writer) {
                byte[] buffer = new byte[BUFFER];
                long received = offset;
                for (boolean more = true; more; ) {
                    // Filled whole where the body allows, for big writes; a cut connection keeps what arrived.
                    int filled = 0;
                    IOException cut = null;
                    try {
                        for (int n = 0; n >= 0 && filled < BUFFER; filled += Math.max(n, 0)) {
                            n = body.read(buffer, filled, BUFFER - filled);
                        }
                    } catch (IOException e) {
                        cut = e;
                    }
                    more = filled == BUFFER;
                    received += filled;
                    if (received > upload.size()) {
                        writer.truncate(offset);
                        throw tooMany(upload);
                    }
                    buffer = writer.write(buffer, filled);
                    if (cut != null) {
                        throw cut;
                    }
                }
                // On the disk before a version can name it, as a cp that syncs.
                writer.finish(received == upload.size());
            } catch (IOException e) {
                if (isDiskFull(e)) {
                    discard(upload);
                    throw new ApiException(ErrorCode.STORAGE_FULL, "The server's disk is full: the upload was "
                            + "discarded. Retry when space was made.");
                }
                throw e;
            } finally {
                if (Files.exists(partial)) {
                    if (writer.digest() != null) {
                        digests.put(upload.id(), new DigestState(writer.position(), writer.digest()));
                    }
                    jdbc.update("update upload set \"offset\" = ?, updated_at = now() where id = ?",
                            writer.position(), upload.id());
                }
            }
            long position = writer.position();
            if (position == upload.size()) {
                digests.remove(upload.id());
                complete(upload, partial, writer.digest());
            }
            return position;
        } finally {
            appending.remove(upload.id());
        }
    }

    private static ApiException tooMany(Upload upload) {
        return ApiException.limit("More bytes than the upload's size", upload.size());
    }

    /** What ENOSPC and EDQUOT say; Java has no exception class of their own. */
    static boolean isDiskFull(IOException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("No space left on device") || message.contains("Disk quota exceeded");
    }

    private DigestState digestAt(Upload upload, Path partial) throws IOException {
        DigestState kept = digests.remove(upload.id());
        if (kept != null && kept.offset() == upload.offset()) {
            return kept;
        }
        MessageDigest digest = Sha256.digest();
        if (upload.offset() > 0) {
            try (FileChannel file = FileChannel.open(partial)) {
                ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
                long left = upload.offset();
                while (left > 0) {
                    buffer.clear().limit((int) Math.min(BUFFER, left));
                    int n = file.read(buffer);
                    if (n < 0) {
                        throw new IOException("The partial upload " + partial + " is shorter than its offset");
                    }
                    digest.update(buffer.array(), 0, n);
                    left -= n;
                }
            }
        }
        return new DigestState(upload.offset(), digest);
    }

    /**
     * Stores the verified bytes. The blob's row is written (or its lock waited for) before the file is put, in
     * one transaction, so a collection deleting the same blob at that moment finishes first, file included.
     */
    private void complete(Upload upload, Path partial, MessageDigest digest) {
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(upload.sha256())) {
            discard(upload);
            throw new ApiException(ErrorCode.CHECKSUM_MISMATCH, "The bytes' SHA-256 is " + actual + ", not "
                    + upload.sha256() + ": the upload was discarded");
        }
        transactions.executeWithoutResult(status -> {
            blobs.put(upload.sha256(), partial, upload.size());
            jdbc.update("delete from upload where id = ?", upload.id());
        });
    }

    /** Gives an upload up: its row, its bytes and its digest. */
    void discard(Upload upload) {
        jdbc.update("delete from upload where id = ?", upload.id());
        digests.remove(upload.id());
        try {
            Files.deleteIfExists(partial(upload.id()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Uploads untouched since before the timeout, with their bytes; answers how many. */
    int removeStale(java.time.Duration timeout) throws IOException {
        List<UUID> stale = jdbc.queryForList("""
                delete from upload where updated_at < now() - make_interval(secs => ?) returning id""", UUID.class,
                (double) timeout.toSeconds());
        for (UUID id : stale) {
            digests.remove(id);
            Files.deleteIfExists(partial(id));
        }
        return stale.size();
    }

    /** Partial files of no upload (their row went with a crash, or with their project). */
    int removeOrphans() throws IOException {
        List<Path> files;
        try (var listing = Files.list(directory.uploads())) {
            files = listing.toList();
        }
        // Read after listing: a file listed is then either known here or had its upload removed.
        Set<String> known = Set.copyOf(jdbc.queryForList("select id::text from upload", String.class));
        int removed = 0;
        for (Path file : files) {
            if (!known.contains(file.getFileName().toString()) && !appendingTo(file)) {
                Files.deleteIfExists(file);
                removed++;
            }
        }
        return removed;
    }

    private boolean appendingTo(Path file) {
        try {
            return appending.contains(UUID.fromString(file.getFileName().toString()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
