package dev.trackstack.system;

import java.util.Optional;

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
}
