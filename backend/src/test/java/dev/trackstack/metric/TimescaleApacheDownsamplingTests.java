package dev.trackstack.metric;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackstack.TimescaleDatabase;
import dev.trackstack.storage.StorageMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Everything {@link DownsamplingTests} checks, on Apache-only TimescaleDB: a hypertable, with rollups at ingest. */
@EnabledIf(value = "dev.trackstack.TimescaleDatabase#apacheAvailable", disabledReason = TimescaleDatabase.UNAVAILABLE)
class TimescaleApacheDownsamplingTests extends DownsamplingTests {

    @DynamicPropertySource
    static void timescale(DynamicPropertyRegistry registry) {
        TimescaleDatabase.APACHE.register(registry);
    }

    @Test
    void shouldKeepPointsInAHypertableWithRollups() {
        assertThat(storage.mode()).isEqualTo(StorageMode.TIMESCALEDB_APACHE);
        assertThat(jdbc.queryForList("select hypertable_name from timescaledb_information.hypertables",
                String.class)).contains("metric_point");
        assertThat(jdbc.queryForObject("select to_regclass('metric_rollup') is not null", Boolean.class)).isTrue();
    }
}
