package dev.trackstack.importer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The command line of {@code java -jar trackstack.jar import}; ImportTests run it against a server. */
class ImportCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> environment, String... args) throws InterruptedException {
        return ImportCommand.run(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void onlyTheImportCommandIsTakenFromTheServersArguments() {
        assertThat(ImportCommand.wanted(new String[] {"import", "tensorboard", "runs"})).isTrue();
        assertThat(ImportCommand.wanted(new String[] {"--server.port=9000"})).isFalse();
        assertThat(ImportCommand.wanted(new String[0])).isFalse();
    }

    @Test
    void aWrongCommandLineShowsTheUsageAndExitsWith2() throws InterruptedException {
        assertThat(run(Map.of(), "import", "comet", "runs")).isEqualTo(2);
        assertThat(run(Map.of(), "import", "tensorboard")).isEqualTo(2);
        assertThat(run(Map.of(), "import", "tensorboard", "runs", "--colour", "red")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Usage: java -jar trackstack.jar import");
    }

    @Test
    void noServerIsOneSentenceAndExitCode1() throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        assertThat(run(Map.of("TRACKSTACK_URL", "http://localhost:" + port), "import", "mlflow", "mlruns"))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo("import failed: no Trackstack server "
                + "answers at http://localhost:" + port + "/graphql: start it, or give its address with --url");
    }
}
