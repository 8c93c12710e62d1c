package dev.trackstack.artifact;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * A bucket that is missing, refuses the keys or cannot be reached when {@code trackstack.artifacts.store=S3}: the
 * reason and the settings to check, instead of a stack trace through the SDK.
 */
class S3BucketFailureAnalyzer extends AbstractFailureAnalyzer<S3BucketException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, S3BucketException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Check trackstack.artifacts.s3.endpoint, bucket, access-key and secret-key (TRACKSTACK_ARTIFACTS_S3_*) "
                        + "and that the bucket exists, or keep artifacts on the local disk with "
                        + "trackstack.artifacts.store=FILESYSTEM.", cause);
    }
}
