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
    UNAVAILABLE,
    INTERNAL
}
