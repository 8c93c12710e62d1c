package dev.trackstack.system;

import graphql.ErrorClassification;

/** The codes clients see in {@code extensions.code}. */
public enum ErrorCode implements ErrorClassification {
    NOT_FOUND,
    BAD_USER_INPUT,
    LIMIT_EXCEEDED,
    /** No valid API token where the server requires one. */
    UNAUTHENTICATED,
    /** The token is valid but may not do this: a READ token mutating, a token naming a project it does not cover. */
    FORBIDDEN,
    /** A compare-and-set lost: the state is no longer what the caller expected (a prompt label moved meanwhile). */
    CONFLICT,
    /** A result or score names an item that is not in the eval run's dataset version. */
    ITEM_NOT_IN_DATASET,
    /** A score breaks its score config, or gives none or several of value, boolean and category. */
    INVALID_SCORE,
    /** Eval runs compared ran on different dataset versions. */
    DATASET_VERSION_MISMATCH,
    /** A training run where an eval run is needed. */
    NOT_EVAL_RUN,
    /** Uploaded bytes that do not match the SHA-256 they were announced with (artifacts). */
    CHECKSUM_MISMATCH,
    /** The disk of the artifacts directory is full. */
    STORAGE_FULL,
    UNAVAILABLE,
    INTERNAL
}
