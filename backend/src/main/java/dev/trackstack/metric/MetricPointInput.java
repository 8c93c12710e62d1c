package dev.trackstack.metric;

import java.time.OffsetDateTime;
import java.util.Map;

public record MetricPointInput(String name, String split, Long step, Double value, OffsetDateTime time) {

    /** From a point as graphql-java coerced it: its scalars already made the step a Long, the value a Double. */
    static MetricPointInput of(Map<String, Object> point) {
        return new MetricPointInput((String) point.get("name"), (String) point.get("split"), (Long) point.get("step"),
                (Double) point.get("value"), (OffsetDateTime) point.get("time"));
    }
}
