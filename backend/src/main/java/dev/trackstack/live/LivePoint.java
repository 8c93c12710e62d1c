package dev.trackstack.live;

import java.time.OffsetDateTime;

public record LivePoint(String name, String split, long step, double value, OffsetDateTime time) {
}
