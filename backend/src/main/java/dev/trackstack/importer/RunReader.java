package dev.trackstack.importer;

import java.io.IOException;

/** Reads the runs of another tracker's files or server and hands them to a sink. One implementation per format. */
public interface RunReader {

    ImportFormat format();

    /**
     * Reads every run of the source into the sink, in a stable order, so that a second import hands the same runs
     * with the same keys. What cannot be mapped is reported to {@link ImportSink#unmapped}, never dropped silently.
     * A source that cannot be read at all throws {@link ImportException} with a sentence for the user.
     */
    void read(ImportSource source, ImportSink sink) throws IOException;
}
