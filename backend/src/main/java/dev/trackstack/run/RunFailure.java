package dev.trackstack.run;

import dev.trackstack.system.ApiException;

/**
 * Why a run failed, as its script reported it: the exception's type and message and the traceback. Limits keep a
 * runaway message out of every runs list; the Python client cuts the traceback's start, the end matters most.
 */
record RunFailure(String type, String message, String traceback) {

    static final int MAX_TYPE_CHARS = 256;
    static final int MAX_MESSAGE_CHARS = 8_192;
    static final int MAX_TRACEBACK_CHARS = 65_536;

    /** Throws what is wrong with it (as GraphQL bound it, unchecked). */
    RunFailure checked() {
        if (type == null || type.isBlank()) {
            throw ApiException.badInput("failure.type must name the error, e.g. \"ValueError\"");
        }
        check("failure.type", type, MAX_TYPE_CHARS);
        check("failure.message", message, MAX_MESSAGE_CHARS);
        check("failure.traceback", traceback, MAX_TRACEBACK_CHARS);
        return this;
    }

    private static void check(String what, String value, int maxChars) {
        if (value != null && value.length() > maxChars) {
            throw ApiException.limit(what + " of " + value.length() + " characters", maxChars);
        }
    }
}
