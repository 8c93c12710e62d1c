package dev.trackstack.artifact;

/** The S3 store's bucket cannot be used at start-up; {@link S3BucketFailureAnalyzer} tells it in two sentences. */
class S3BucketException extends RuntimeException {

    S3BucketException(ArtifactProperties.S3 settings, String reason, Throwable cause) {
        super("The S3 store " + where(settings) + " cannot be used: " + reason + ".", cause);
    }

    /** The bucket and endpoint, as an operator would look them up. */
    static String where(ArtifactProperties.S3 settings) {
        return "s3://" + settings.bucket() + (settings.endpoint() == null ? "" : " at " + settings.endpoint());
    }
}
