package dev.trackstack.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.springframework.http.ContentDisposition;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.utils.io.LengthAwareInputStream;

/**
 * Blobs as objects {@code <prefix>ab/cd/<sha256>} of an S3-compatible bucket. Big files go up in parts read from
 * the disk one at a time, so neither the file nor a part is ever held in memory. A server that cannot be reached,
 * or answers 5xx or "slow down", is {@link BlobStoreUnavailableException}: the client retries later.
 */
class S3BlobStore implements BlobStore {

    /** Parts of multipart uploads: S3's 10,000 parts then reach 640 GB, over any sensible max-file-bytes. */
    static final long PART_SIZE = 64L << 20;

    private final S3Client s3;
    private final S3Presigner presigner;
    private final ArtifactProperties.S3 settings;
    private final long partSize;

    S3BlobStore(ArtifactProperties.S3 settings, long partSize) {
        this.settings = settings;
        this.partSize = partSize;
        AwsCredentialsProvider credentials = settings.accessKey() == null
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
        S3Configuration addressing = S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build();
        var client = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(10)).build())
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(addressing)
                // WHEN_REQUIRED: MinIO and other S3-compatible servers refuse or ignore the CRC trailers that
                // WHEN_SUPPORTED (the SDK's default since 2.30) adds to every upload.
                .requestChecksumCalculation(RequestChecksumCalculation.valueOf(settings.checksums()))
                .responseChecksumValidation(ResponseChecksumValidation.valueOf(settings.checksums()));
        var presign = S3Presigner.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(addressing);
        if (settings.endpoint() != null) {
            client.endpointOverride(settings.endpoint());
            presign.endpointOverride(settings.endpoint());
        }
        this.s3 = client.build();
        this.presigner = presign.build();
    }

    /** Fails with {@link S3BucketException} when the bucket cannot be used: at start, not at the first upload. */
    void checkBucket() {
        if (settings.bucket() == null || settings.bucket().isBlank()) {
            throw new S3BucketException(settings, "trackstack.artifacts.s3.bucket is not set", null);
        }
        try {
            s3.headBucket(b -> b.bucket(settings.bucket()));
        } catch (S3Exception e) {
            String reason = switch (e.statusCode()) {
                case 404 -> "the bucket " + settings.bucket() + " does not exist";
                case 401, 403 -> "the access key or secret key was refused for the bucket " + settings.bucket();
                default -> "it answered " + e.statusCode() + " for the bucket " + settings.bucket();
            };
            throw new S3BucketException(settings, reason, e);
        } catch (SdkClientException e) {
            throw new S3BucketException(settings, "it cannot be reached (" + e.getMessage() + ")", e);
        }
    }

    String key(String sha256) {
        return settings.prefix() + sha256.substring(0, 2) + "/" + sha256.substring(2, 4) + "/" + sha256;
    }

    /** Like the filesystem store's rename, the verified file is gone afterwards. */
    @Override
    public void put(String sha256, Path verifiedFile, long size) throws IOException {
        if (!exists(sha256)) {
            if (size > partSize) {
                putInParts(key(sha256), verifiedFile, size);
            } else {
                call(() -> s3.putObject(b -> b.bucket(settings.bucket()).key(key(sha256)).contentLength(size),
                        RequestBody.fromFile(verifiedFile)));
            }
        }
        Files.deleteIfExists(verifiedFile);
    }

    private void putInParts(String key, Path file, long size) throws IOException {
        String uploadId = call(() -> s3.createMultipartUpload(b -> b.bucket(settings.bucket()).key(key))).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (long offset = 0; offset < size; offset += partSize) {
                int number = parts.size() + 1;
                long length = Math.min(partSize, size - offset);
                RequestBody body = RequestBody.fromContentProvider(
                        ContentStreamProvider.fromInputStreamSupplier(slice(file, offset, length)), length,
                        "application/octet-stream");
                String etag = call(() -> s3.uploadPart(b -> b.bucket(settings.bucket()).key(key)
                        .uploadId(uploadId).partNumber(number).contentLength(length), body)).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
            }
            call(() -> s3.completeMultipartUpload(b -> b.bucket(settings.bucket()).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts))));
        } catch (IOException | RuntimeException e) {
            // The parts uploaded so far would otherwise be kept (and billed) by the bucket until a lifecycle rule
            // removes them.
            try {
                s3.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(key).uploadId(uploadId));
            } catch (RuntimeException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw e;
        }
    }

    /** {@code length} bytes of the file from {@code offset}, opened anew on each call (the SDK retries a part). */
    private static Supplier<InputStream> slice(Path file, long offset, long length) {
        return () -> {
            try {
                FileChannel channel = FileChannel.open(file).position(offset);
                return new LengthAwareInputStream(Channels.newInputStream(channel), length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    @Override
    public boolean exists(String sha256) throws IOException {
        try {
            call(() -> s3.headObject(b -> b.bucket(settings.bucket()).key(key(sha256))));
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    @Override
    public InputStream open(String sha256, long offset, long length) throws IOException {
        if (length == 0) {
            return InputStream.nullInputStream();
        }
        String range = offset == 0 && length < 0 ? null
                : "bytes=" + offset + "-" + (length < 0 ? "" : String.valueOf(offset + length - 1));
        return call(() -> s3.getObject(b -> b.bucket(settings.bucket()).key(key(sha256)).range(range)));
    }

    @Override
    public void delete(String sha256) throws IOException {
        call(() -> s3.deleteObject(b -> b.bucket(settings.bucket()).key(key(sha256))));
    }

    @Override
    public Optional<URI> presignedDownload(String sha256, String fileName, Duration validFor) {
        if (!settings.presignDownloads()) {
            return Optional.empty();
        }
        String disposition = ContentDisposition.attachment().filename(fileName, StandardCharsets.UTF_8).build()
                .toString();
        var presigned = presigner.presignGetObject(p -> p.signatureDuration(validFor).getObjectRequest(
                g -> g.bucket(settings.bucket()).key(key(sha256)).responseContentDisposition(disposition)));
        return Optional.of(URI.create(presigned.url().toString()));
    }

    /**
     * Runs one S3 request: unreachable, 5xx and throttling are {@link BlobStoreUnavailableException}, a missing
     * object {@link NoSuchFileException} (as the filesystem store), any other refusal an {@link IOException}.
     */
    private <T> T call(Supplier<T> request) throws IOException {
        try {
            return request.get();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new NoSuchFileException(e.getMessage());
            }
            if (e.statusCode() >= 500 || e.statusCode() == 429) {
                throw unavailable(e);
            }
            throw new IOException("The S3 store refused the request: " + e.getMessage(), e);
        } catch (SdkClientException e) {
            throw unavailable(e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private BlobStoreUnavailableException unavailable(Exception cause) {
        return new BlobStoreUnavailableException("The S3 store " + S3BucketException.where(settings)
                + " cannot be reached; retry later", cause);
    }

    @Override
    public void close() {
        s3.close();
        presigner.close();
    }
}
