package dev.trackstack.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import dev.trackstack.system.EpochMicros;
import graphql.GraphQLContext;
import graphql.scalars.ExtendedScalars;
import graphql.schema.GraphQLScalarType;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Columns write each element themselves, for speed: exactly as the element's scalar serializes it. */
class ColumnJsonTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void shouldWriteEachElementAsItsScalarSerializesIt() {
        assertColumn(ColumnJson.Element.LONG, ExtendedScalars.GraphQLLong,
                Arrays.asList(0L, -1L, Long.MAX_VALUE, null, 7));
        assertColumn(ColumnJson.Element.METRIC_VALUE, MetricValueScalar.INSTANCE,
                Arrays.asList(0.1, -2.5e-300, 1e21, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                        null, 3));
        assertColumn(ColumnJson.Element.DATE_TIME, DateTimeScalar.INSTANCE, Arrays.asList(
                OffsetDateTime.parse("2026-11-23T10:15:30Z"), OffsetDateTime.parse("2024-02-29T23:59:59.999999Z"),
                OffsetDateTime.parse("2026-01-01T00:00:00.123456+02:00"), OffsetDateTime.parse("+10000-01-01T00:00:00Z"),
                null, OffsetDateTime.parse("0001-01-01T00:00:00.001Z")));
    }

    @Test
    void shouldReadEpochMicrosAsTheSameInstantInUtc() {
        for (long micros : new long[] {0, 1, -1, 1_767_225_600_123_456L, -62_135_596_800_000_000L}) {
            Instant instant = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000),
                    Math.floorMod(micros, 1_000_000) * 1_000L);
            assertThat(EpochMicros.toTime(micros)).as("%d", micros).isEqualTo(instant.atOffset(ZoneOffset.UTC));
        }
    }

    private static void assertColumn(ColumnJson.Element element, GraphQLScalarType scalar, List<?> items) {
        List<?> serialized = items.stream().map(item -> item == null ? null
                : scalar.getCoercing().serialize(item, GraphQLContext.getDefault(), Locale.ROOT)).toList();
        String expected = JSON.writeValueAsString(serialized);
        assertThat(JSON.writeValueAsString(new ColumnJson(items, element))).as(element.name()).isEqualTo(expected);
        assertThat(JSON.writeValueAsString(new SharedColumn(items).json(element))).isEqualTo(expected);
        // long columns are rendered ahead, on the common pool
        List<?> longColumn = Collections.nCopies(1000, items).stream().flatMap(List::stream).toList();
        assertThat(JSON.writeValueAsString(new ColumnJson(longColumn, element)))
                .isEqualTo("[" + String.join(",", Collections.nCopies(1000, expected.substring(1, expected.length() - 1)))
                        + "]");
    }
}
