package dev.trackstack.system;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * A file Trackstack cannot write at start-up, most often its data directory: one sentence naming it and what to
 * do, instead of a stack trace through the embedded database's beans. Keyed on the exception type, not on the
 * class that threw it.
 */
class DataDirectoryFailureAnalyzer extends AbstractFailureAnalyzer<FileSystemException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, FileSystemException cause) {
        return new FailureAnalysis("Trackstack cannot write " + cause.getFile() + ": " + reason(cause) + ".",
                "Make the data directory writable by the user " + System.getProperty("user.name") + ", or choose "
                        + "another one with --trackstack.data-dir=<directory> (or TRACKSTACK_DATA_DIR).", cause);
    }

    private static String reason(FileSystemException cause) {
        if (cause.getReason() != null) {
            return cause.getReason();
        }
        if (cause instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (cause instanceof FileAlreadyExistsException) {
            return "a file of that name is in the way";
        }
        return cause.getClass().getSimpleName();
    }
}
