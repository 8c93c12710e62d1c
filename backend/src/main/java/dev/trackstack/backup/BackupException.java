package dev.trackstack.backup;

/** A backup or restore that cannot be done, told to the user in one sentence (no stack trace). */
class BackupException extends RuntimeException {

    BackupException(String message) {
        super(message);
    }
}
