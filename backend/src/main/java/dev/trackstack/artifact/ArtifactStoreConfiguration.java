package dev.trackstack.artifact;

import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ArtifactStoreConfiguration {

    /**
     * The blob store that {@code trackstack.artifacts.store} names, FILESYSTEM unless set; the S3 store's bucket is
     * checked before the server takes requests. Chosen at run time, not by a condition: the jar's bean definitions
     * are fixed when it is built (Spring AOT).
     */
    @Bean
    BlobStore blobStore(ArtifactProperties properties, ArtifactDirectory directory) {
        return switch (properties.store()) {
            case FILESYSTEM -> new FilesystemBlobStore(directory.blobs());
            case S3 -> s3BlobStore(properties);
        };
    }

    private static S3BlobStore s3BlobStore(ArtifactProperties properties) {
        S3BlobStore store = new S3BlobStore(properties.s3(), S3BlobStore.PART_SIZE);
        try {
            store.checkBucket();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
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
