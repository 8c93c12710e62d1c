package dev.trackstack.system;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Properties;

import org.springframework.boot.info.BuildProperties;
import org.springframework.stereotype.Component;

/**
 * The version of this server, from the build (META-INF/build-info.properties, written by Maven from the
 * project version), or "development" when run without it (from an IDE).
 */
@Component
public class ServerVersion {

    private final String value;

    ServerVersion(Optional<BuildProperties> build) {
        this.value = build.map(BuildProperties::getVersion).orElse("development");
    }

    public String value() {
        return value;
    }

    /** The same, read without Spring (for the command line, which starts no server). */
    public static String ofThisBuild() {
        try (InputStream in = ServerVersion.class.getResourceAsStream("/META-INF/build-info.properties")) {
            if (in == null) {
                return "development";
            }
            Properties build = new Properties();
            build.load(in);
            return build.getProperty("build.version", "development");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
