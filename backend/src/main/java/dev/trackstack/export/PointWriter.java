package dev.trackstack.export;

import java.io.IOException;

/** Where exported points go, one series after another, each series' points in step order. */
interface PointWriter {

    /** The points that follow belong to this series; split and runName may be null. */
    void series(long runId, String runName, String name, String split) throws IOException;

    void point(long step, long micros, double value) throws IOException;

    /** Writes what the format needs at the end; the stream stays open. */
    void finish() throws IOException;
}
