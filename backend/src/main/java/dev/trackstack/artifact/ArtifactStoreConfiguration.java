package dev.trackstack.artifact;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
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

    /**
     * Tomcat reads a request body from the socket 8 KiB at a time unless told otherwise: for a big upload that is
     * a system call (and often a wait on the poller) per 8 KiB, which costs more than the disk.
     */
    @Bean
    TomcatConnectorCustomizer uploadReadBuffer() {
        return connector -> connector.setProperty("socket.appReadBufSize", String.valueOf(READ_BUFFER));
    }

    static final int READ_BUFFER = 256 * 1024;
}
