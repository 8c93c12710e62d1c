package dev.trackstack.storage;

import java.time.Duration;

import dev.trackstack.system.TrackstackProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Sets TimescaleDB's compression and retention policies from the configuration at every start. */
@Component
class StoragePolicies {

    private static final Logger log = LoggerFactory.getLogger(StoragePolicies.class);

    private final JdbcTemplate jdbc;
    private final Storage storage;
    private final TrackstackProperties.StoragePolicies policies;

    StoragePolicies(JdbcTemplate jdbc, Storage storage, TrackstackProperties properties) {
        this.jdbc = jdbc;
        this.storage = storage;
        this.policies = properties.storage();
    }

    @EventListener(ApplicationReadyEvent.class)
    void apply() {
        if (storage.mode() != StorageMode.TIMESCALEDB) {
            if (policies.rawRetention() != null) {
                log.warn("trackstack.storage.raw-retention needs TimescaleDB with its community features; "
                        + "with {} every point is kept", storage.mode());
            }
            return;
        }
        jdbc.queryForList("select remove_compression_policy('metric_point', if_exists => true)");
        jdbc.queryForList("select add_compression_policy('metric_point', compress_after => ?::interval)",
                interval(policies.compressAfter()));
        jdbc.queryForList("select remove_retention_policy('metric_point', if_exists => true)");
        if (policies.rawRetention() != null) {
            jdbc.queryForList("select add_retention_policy('metric_point', drop_after => ?::interval)",
                    interval(policies.rawRetention()));
        }
        log.info("Points: chunks compressed after {}, raw points kept {}", policies.compressAfter(),
                policies.rawRetention() == null ? "forever" : "for " + policies.rawRetention());
    }

    private static String interval(Duration duration) {
        return duration.toSeconds() + " seconds";
    }
}
