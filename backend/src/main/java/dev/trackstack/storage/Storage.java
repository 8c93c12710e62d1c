package dev.trackstack.storage;

import java.util.EnumMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The storage mode the schema was created in (by {@link StorageMigration}), which decides how points are kept. */
@Component
public class Storage {

    private static final Logger log = LoggerFactory.getLogger(Storage.class);

    private final StorageMode mode;
    private final Map<AggregateLevel, String> materializations = new EnumMap<>(AggregateLevel.class);

    Storage(JdbcTemplate jdbc) {
        this.mode = StorageMode.valueOf(jdbc.queryForObject("select mode from storage_mode", String.class));
        log.info("Metric storage: {}", mode);
        if (!mode.rollupsAtIngest()) {
            jdbc.query("""
                    select view_name, format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name)
                    from timescaledb_information.continuous_aggregates
                    """, rs -> {
                for (AggregateLevel level : AggregateLevel.values()) {
                    if (level.view().equals(rs.getString(1))) {
                        materializations.put(level, rs.getString(2));
                    }
                }
            });
        }
    }

    public StorageMode mode() {
        return mode;
    }

    /**
     * The hypertable that holds a level's materialized buckets. Reading it directly skips the real-time half of the
     * view (a third of a 50-series read, even with nothing left to aggregate); readers cover the rest raw.
     */
    public String materialization(AggregateLevel level) {
        return materializations.get(level);
    }
}
