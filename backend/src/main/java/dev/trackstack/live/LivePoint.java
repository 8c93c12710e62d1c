package dev.trackstack.live;

import java.time.OffsetDateTime;
import java.util.Comparator;

public record LivePoint(String name, String split, long step, double value, OffsetDateTime time) {

    /** The order of a batch's points for subscribers: series by series, each in step order. */
    public static final Comparator<LivePoint> ORDER = Comparator.comparing(LivePoint::name)
            .thenComparing(LivePoint::split, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparingLong(LivePoint::step);
}
