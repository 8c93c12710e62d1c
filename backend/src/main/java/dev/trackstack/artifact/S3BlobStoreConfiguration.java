package dev.trackstack.artifact;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The S3 store when {@code trackstack.artifacts.store=S3}; its bucket is checked before the server takes requests. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "trackstack.artifacts.store", havingValue = "S3")
class S3BlobStoreConfiguration {

    @Bean
    BlobStore s3BlobStore(ArtifactProperties properties) {
        S3BlobStore store = new S3BlobStore(properties.s3(), S3BlobStore.PART_SIZE);
        try {
            store.checkBucket();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }
}
