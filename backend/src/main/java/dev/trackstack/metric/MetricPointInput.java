package dev.trackstack.metric;

import java.time.OffsetDateTime;

public record MetricPointInput(String name, String split, Long step, Double value, OffsetDateTime time) {
}
