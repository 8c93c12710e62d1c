package dev.trackstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml and the Dockerfile, read as files: no Docker engine runs here, so neither is built or started.
 */
class DockerFilesTests {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** name:tag with a version in the tag (2.29.2-pg17, RELEASE.2025-09-07T16-13-09Z), not latest nor latest-pg17. */
    private static final Pattern PINNED = Pattern.compile("[^:\\s]+:(?!latest)\\S*\\d\\S*");

    @Test
    void composeImagesArePinnedAndTheAppIsBuiltFromSource() throws IOException {
        Map<?, ?> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        Map<?, ?> services = (Map<?, ?>) compose.get("services");

        List<String> images = services.values().stream().map(s -> (String) ((Map<?, ?>) s).get("image"))
                .filter(image -> image != null).toList();
        assertThat(images).hasSize(3).allSatisfy(image -> assertThat(image).matches(PINNED));
        assertThat(((Map<?, ?>) services.get("app")).get("build")).isEqualTo(".");
    }

    @Test
    void dockerfileBuildsTheJarAndRunsItAsAnotherUserThanRoot() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));

        Matcher from = Pattern.compile("(?m)^FROM (\\S+)").matcher(dockerfile);
        List<String> bases = from.results().map(m -> m.group(1)).toList();
        assertThat(bases).hasSize(2).allSatisfy(image -> assertThat(image).matches(PINNED));
        assertThat(dockerfile).contains("./mvnw ", "COPY --from=build /src/backend/target/trackstack.jar")
                .containsPattern("(?m)^USER 10001");
        assertThat(dockerfile).as("no JVM options, so that the launcher's memory settings apply and the user's "
                + "JAVA_TOOL_OPTIONS replace them").containsPattern(
                "(?m)^ENTRYPOINT \\[\"java\", \"-jar\", \"/opt/trackstack/trackstack.jar\"\\]$");
    }
}
