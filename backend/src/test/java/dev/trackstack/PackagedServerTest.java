package dev.trackstack;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** A test of the packaged jar run as a process: its work directory and its server, stopped after each test. */
public abstract class PackagedServerTest {

    /** Data and server logs; kept when the test fails. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    protected Path work;

    protected PackagedServer server;

    @AfterEach
    void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }
}
