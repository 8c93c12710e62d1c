package dev.trackstack.artifact;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriUtils;

/**
 * A file's downloadUrl (and a media image's url): a presigned URL of the store when {@code s3.presign-downloads} is on, else this server's
 * blob path signed with HMAC-SHA256 (project, blob, file name, expiry), so that a browser link needs no token.
 * The key is made on first use and kept in the database, so that every instance accepts every instance's links.
 */
@Component
public class DownloadLinks {

    static final Duration VALID_FOR = Duration.ofHours(1);

    private final JdbcTemplate jdbc;
    private final BlobStore store;
    private final boolean presign;
    private volatile SecretKeySpec key;

    DownloadLinks(JdbcTemplate jdbc, BlobStore store, ArtifactProperties properties) {
        this.jdbc = jdbc;
        this.store = store;
        this.presign = properties.s3().presignDownloads();
    }

    /** A link to the blob of the project that downloads as the file name that ends {@code path}. */
    public String url(String project, String sha256, String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (presign) {
            var presigned = store.presignedDownload(sha256, name, VALID_FOR);
            if (presigned.isPresent()) {
                return presigned.get().toString();
            }
        }
        // Expiring at the end of the next whole hour (in one to two hours), a link is the same all hour long, so a
        // browser's cache serves it again (a step slider asks for the same images over and over).
        long hour = VALID_FOR.toSeconds();
        long expires = (Instant.now().getEpochSecond() / hour + 2) * hour;
        return "/api/v1/projects/" + UriUtils.encodePathSegment(project, StandardCharsets.UTF_8) + "/blobs/" + sha256
                + "?name=" + UriUtils.encodeQueryParam(name, StandardCharsets.UTF_8) + "&expires=" + expires
                + "&signature=" + signature(project, sha256, name, expires);
    }

    /** Whether the link's parameters are this server's signature and it has not expired. */
    boolean valid(String project, String sha256, String name, long expires, String signature) {
        return Instant.now().getEpochSecond() <= expires && MessageDigest.isEqual(
                signature(project, sha256, name, expires).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }

    private String signature(String project, String sha256, String name, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key());
            byte[] signed = mac.doFinal((project + "\n" + sha256 + "\n" + name + "\n" + expires)
                    .getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(signed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Every Java runtime has HmacSHA256", e);
        }
    }

    private SecretKeySpec key() {
        if (key == null) {
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            jdbc.update("insert into artifact_signing_key (id, key) values (1, ?) on conflict (id) do nothing", fresh);
            key = new SecretKeySpec(jdbc.queryForObject("select key from artifact_signing_key where id = 1",
                    byte[].class), "HmacSHA256");
        }
        return key;
    }
}
