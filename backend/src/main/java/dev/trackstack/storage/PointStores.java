package dev.trackstack.storage;

import java.util.EnumMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** Picks the point store for the mode the schema was created in (by {@link StorageMigration}), once. */
@Configuration(proxyBeanMethods = false)
class PointStores {

    private static final Logger log = LoggerFactory.getLogger(PointStores.class);

    @Bean
    PointStore pointStore(JdbcTemplate jdbc, AggregateRefresh refresh) {
        StorageMode mode = StorageMode.valueOf(jdbc.queryForObject("select mode from storage_mode", String.class));
        log.info("Metric storage: {}", mode);
        return switch (mode) {
            case POSTGRESQL, TIMESCALEDB_APACHE -> new RollupPointStore(jdbc, mode);
            case TIMESCALEDB -> new AggregatePointStore(jdbc, refresh, materializations(jdbc));
        };
    }

    /** The hypertable that holds each level's materialized buckets. */
    private static Map<AggregateLevel, String> materializations(JdbcTemplate jdbc) {
        Map<AggregateLevel, String> materializations = new EnumMap<>(AggregateLevel.class);
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
        return materializations;
    }
}
