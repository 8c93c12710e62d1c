package dev.trackstack.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

import graphql.GraphQLContext;
import graphql.scalars.ExtendedScalars;
import org.junit.jupiter.api.Test;

class DateTimeScalarTests {

    @Test
    void shouldWriteExactlyWhatTheExtendedScalarWrites() {
        for (String text : new String[] {"2026-11-23T10:15:30Z", "2024-02-29T23:59:59.999999999Z",
                "0001-01-01T00:00:00.001Z", "9999-12-31T00:00:00.5Z", "2026-01-01T00:00:00.123456+02:00",
                "-0001-06-15T12:00:00Z", "+10000-01-01T00:00:00Z"}) {
            OffsetDateTime time = OffsetDateTime.parse(text);
            assertThat(serialize(time)).as(text)
                    .isEqualTo(ExtendedScalars.DateTime.getCoercing().serialize(time, GraphQLContext.getDefault(),
                            Locale.ROOT));
        }
        assertThat(serialize(OffsetDateTime.of(2026, 11, 23, 10, 15, 30, 7_000_000,
                ZoneOffset.UTC))).isEqualTo("2026-11-23T10:15:30.007Z");
    }

    private static Object serialize(OffsetDateTime time) {
        return DateTimeScalar.INSTANCE.getCoercing().serialize(time, GraphQLContext.getDefault(), Locale.ROOT);
    }
}
