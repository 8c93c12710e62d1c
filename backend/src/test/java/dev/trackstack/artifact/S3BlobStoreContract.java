package dev.trackstack.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What the S3 store must do against any S3-compatible server: S3Proxy here ({@link S3BlobStoreTest}), MinIO where
 * Docker runs ({@link S3BlobStoreMinioTest}). Each test has a bucket of its own.
 */
abstract class S3BlobStoreContract {

    /** The smallest part S3 accepts (5 MiB), so that a test file of a few MiB goes up in several parts. */
    static final long PART_SIZE = 5L << 20;

    @TempDir
    Path work;

    String bucket;
    S3Client admin;
    S3BlobStore store;

    abstract URI endpoint();

    abstract String accessKey();

    abstract String secretKey();

    @BeforeEach
    void createBucket() {
        bucket = "test-" + System.nanoTime();
        admin = S3Client.builder().endpointOverride(endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey(), secretKey())))
                .build();
        admin.createBucket(b -> b.bucket(bucket));
        store = new S3BlobStore(settings(endpoint(), bucket, accessKey(), secretKey()), PART_SIZE);
        store.checkBucket();
    }

    @AfterEach
    void closeStore() {
        store.close();
        admin.close();
    }

    static ArtifactProperties.S3 settings(URI endpoint, String bucket, String accessKey, String secretKey) {
        return new ArtifactProperties.S3(endpoint, "us-east-1", bucket, "blobs/", accessKey, secretKey, true,
                "WHEN_REQUIRED", true);
    }

    @Test
    void shouldStoreASmallBlobOnceAndReadItWhole() throws Exception {
        byte[] bytes = randomBytes(1000);
        String sha256 = sha256(bytes);
        assertThat(store.exists(sha256)).isFalse();

        Path file = Files.write(work.resolve("upload"), bytes);
        store.put(sha256, file, bytes.length);

        assertThat(file).doesNotExist();
        assertThat(store.exists(sha256)).isTrue();
        assertThat(store.key(sha256)).isEqualTo("blobs/" + sha256.substring(0, 2) + "/" + sha256.substring(2, 4) + "/" + sha256);
        try (InputStream in = store.open(sha256, 0, -1)) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        // Stored already: the second file is consumed and the blob left as it is.
        Path again = Files.write(work.resolve("again"), bytes);
        store.put(sha256, again, bytes.length);
        assertThat(again).doesNotExist();
        assertThat(store.exists(sha256)).isTrue();
    }

    @Test
    void shouldUploadABigFileInPartsAndReadRanges() throws Exception {
        byte[] bytes = randomBytes((int) (2 * PART_SIZE + 12345));
        String sha256 = sha256(bytes);
        Path file = Files.write(work.resolve("big"), bytes);

        store.put(sha256, file, bytes.length);

        // A multipart object's ETag is the digest of its parts' ETags and their number.
        assertThat(admin.headObject(b -> b.bucket(bucket).key(store.key(sha256))).eTag()).endsWith("-3\"");
        assertThat(admin.listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
        try (InputStream in = store.open(sha256, 0, -1)) {
            assertThat(sha256(in.readAllBytes())).isEqualTo(sha256);
        }
        int offset = (int) PART_SIZE - 10;
        try (InputStream in = store.open(sha256, offset, 20)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(bytes, offset, offset + 20));
        }
        try (InputStream in = store.open(sha256, bytes.length - 5, -1)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(bytes, bytes.length - 5, bytes.length));
        }
        try (InputStream in = store.open(sha256, 7, 0)) {
            assertThat(in.readAllBytes()).isEmpty();
        }
    }

    @Test
    void shouldDeleteABlobAndSayItIsGone() throws Exception {
        byte[] bytes = randomBytes(100);
        String sha256 = sha256(bytes);
        store.put(sha256, Files.write(work.resolve("f"), bytes), bytes.length);

        store.delete(sha256);
        store.delete(sha256);

        assertThat(store.exists(sha256)).isFalse();
        assertThatThrownBy(() -> store.open(sha256, 0, -1)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void shouldGiveAPresignedUrlThatDownloadsWithoutCredentials() throws Exception {
        byte[] bytes = randomBytes(3000);
        String sha256 = sha256(bytes);
        store.put(sha256, Files.write(work.resolve("f"), bytes), bytes.length);

        URI url = store.presignedDownload(sha256, "model final.pt", Duration.ofMinutes(5)).orElseThrow();
        HttpResponse<byte[]> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(bytes);
        assertThat(response.headers().firstValue("Content-Disposition")).hasValueSatisfying(
                disposition -> assertThat(disposition).startsWith("attachment").contains("model"));
    }

    @Test
    void shouldSayAMissingBucketInTheFailureAnalysis() {
        S3BlobStore missing = new S3BlobStore(settings(endpoint(), "no-such-bucket", accessKey(), secretKey()), PART_SIZE);
        try {
            assertThatThrownBy(missing::checkBucket).isInstanceOfSatisfying(S3BucketException.class,
                    e -> assertThat(new S3BucketFailureAnalyzer().analyze(e)).satisfies(analysis -> {
                        assertThat(analysis.getDescription()).isEqualTo("The S3 store s3://no-such-bucket at "
                                + endpoint() + " cannot be used: the bucket no-such-bucket does not exist.");
                        assertThat(analysis.getAction()).contains("trackstack.artifacts.s3.endpoint, bucket");
                    }));
        } finally {
            missing.close();
        }
    }

    @Test
    void shouldSayWrongKeysInTheFailureAnalysis() {
        S3BlobStore refused = new S3BlobStore(settings(endpoint(), bucket, accessKey(), "wrong"), PART_SIZE);
        try {
            assertThatThrownBy(refused::checkBucket).isInstanceOf(S3BucketException.class)
                    .hasMessageContaining("the access key or secret key was refused for the bucket " + bucket);
        } finally {
            refused.close();
        }
    }

    static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
