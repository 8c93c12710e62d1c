package dev.trackstack.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The storage mode the schema was created in (by {@link StorageMigration}), which decides how points are kept. */
@Component
public class Storage {

    private static final Logger log = LoggerFactory.getLogger(Storage.class);

    private final StorageMode mode;

    Storage(JdbcTemplate jdbc) {
        this.mode = StorageMode.valueOf(jdbc.queryForObject("select mode from storage_mode", String.class));
        log.info("Metric storage: {}", mode);
    }

    public StorageMode mode() {
        return mode;
    }
}
