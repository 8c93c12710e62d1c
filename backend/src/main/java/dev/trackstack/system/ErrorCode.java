package dev.trackstack.system;

import graphql.ErrorClassification;

/** The codes clients see in {@code extensions.code}. */
public enum ErrorCode implements ErrorClassification {
    NOT_FOUND,
    BAD_USER_INPUT,
    LIMIT_EXCEEDED,
    UNAVAILABLE,
    INTERNAL
}
