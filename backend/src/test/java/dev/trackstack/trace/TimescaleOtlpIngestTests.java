package dev.trackstack.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackstack.TimescaleDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Everything {@link OtlpIngestTests} checks, on TimescaleDB, where spans are a hypertable on their start time. */
@EnabledIf(value = "dev.trackstack.TimescaleDatabase#fullAvailable", disabledReason = TimescaleDatabase.UNAVAILABLE)
class TimescaleOtlpIngestTests extends OtlpIngestTests {

    @DynamicPropertySource
    static void timescale(DynamicPropertyRegistry registry) {
        TimescaleDatabase.FULL.register(registry);
    }

    @Test
    void shouldKeepSpansInAHypertable() {
        assertThat(jdbc.queryForList("select hypertable_name from timescaledb_information.hypertables",
                String.class)).contains("span");
        assertThat(jdbc.queryForList("select indexdef from pg_indexes where tablename = 'span'", String.class))
                .anyMatch(index -> index.contains("UNIQUE")
                        && index.endsWith("(project_id, trace_id, span_id, start_time)"));
    }
}
