package dev.trackstack.artifact;

import java.net.URI;

import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/** The S3 store against MinIO, the store docker-compose.yml runs; skipped where Docker is absent. */
@Testcontainers(disabledWithoutDocker = true)
class S3BlobStoreMinioTest extends S3BlobStoreContract {

    // The image docker-compose.yml runs (Docker Hub no longer serves MinIO's images).
    @Container
    static final MinIOContainer MINIO = new MinIOContainer(
            DockerImageName.parse("quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z").asCompatibleSubstituteFor("minio/minio"));

    @Override
    URI endpoint() {
        return URI.create(MINIO.getS3URL());
    }

    @Override
    String accessKey() {
        return MINIO.getUserName();
    }

    @Override
    String secretKey() {
        return MINIO.getPassword();
    }
}
