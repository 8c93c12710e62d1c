package dev.trackstack.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.trackstack.PackagedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The S3 store against S3Proxy, which runs here without Docker. */
class S3BlobStoreTest extends S3BlobStoreContract {

    private static Path proxyWork;
    private static S3Proxy proxy;

    @BeforeAll
    static void startProxy() throws Exception {
        proxyWork = Files.createTempDirectory("s3proxy");
        proxy = S3Proxy.start(proxyWork);
    }

    @AfterAll
    static void stopProxy() throws Exception {
        proxy.close();
        org.springframework.util.FileSystemUtils.deleteRecursively(proxyWork);
    }

    @Override
    URI endpoint() {
        return proxy.endpoint();
    }

    @Override
    String accessKey() {
        return S3Proxy.ACCESS_KEY;
    }

    @Override
    String secretKey() {
        return S3Proxy.SECRET_KEY;
    }

    @Test
    void shouldBeUnavailableWhereNothingListens() throws Exception {
        URI nobody = URI.create("http://127.0.0.1:" + PackagedServer.freePort());
        try (S3BlobStore down = new S3BlobStore(settings(nobody, bucket, accessKey(), secretKey()), PART_SIZE)) {
            String sha256 = sha256(new byte[1]);
            assertThatThrownBy(() -> down.exists(sha256)).isInstanceOf(BlobStoreUnavailableException.class)
                    .hasMessage("The S3 store s3://" + bucket + " at " + nobody + " cannot be reached; retry later");
            Path file = Files.write(work.resolve("f"), new byte[1]);
            assertThatThrownBy(() -> down.put(sha256, file, 1)).isInstanceOf(BlobStoreUnavailableException.class);
            assertThat(file).exists();
        }
    }
}
