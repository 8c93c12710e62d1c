package dev.trackstack.artifact;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The blob store that {@code trackstack.artifacts.store} names; FILESYSTEM unless set. */
@Configuration(proxyBeanMethods = false)
class ArtifactStoreConfiguration {

    @Bean
    @ConditionalOnProperty(name = "trackstack.artifacts.store", havingValue = "FILESYSTEM", matchIfMissing = true)
    BlobStore filesystemBlobStore(ArtifactDirectory directory) {
        return new FilesystemBlobStore(directory.blobs());
    }
}
