package dev.trackstack.metric;

import java.time.Instant;

import dev.trackstack.system.EpochMicros;

/** What logMetrics refuses in a point. Imports leave such points out instead, and count them per problem. */
public enum PointProblem {
    NAME, SPLIT, STEP, TIME;

    /** Point times have four-digit years, which ISO-8601 clients, JavaScript dates and PostgreSQL all handle. */
    private static final long EARLIEST = EpochMicros.of(Instant.parse("0001-01-01T00:00:00Z"));
    private static final long END = EpochMicros.of(Instant.parse("+10000-01-01T00:00:00Z"));

    /** The point's first problem, or null when logMetrics takes it. */
    public static PointProblem of(MetricPointInput point, int nameLength) {
        PointProblem series = ofSeries(point.name(), point.split(), nameLength);
        if (series != null) {
            return series;
        }
        if (point.step() < 0) {
            return STEP;
        }
        if (point.time() != null && !inRange(EpochMicros.of(point.time().toInstant()))) {
            return TIME;
        }
        return null;
    }

    /** The problem of a series' name and split, or null. */
    static PointProblem ofSeries(String name, String split, int nameLength) {
        if (name == null || name.isBlank() || name.length() > nameLength) {
            return NAME;
        }
        if (split != null && split.length() > nameLength) {
            return SPLIT;
        }
        return null;
    }

    /** Whether a time, in microseconds since the epoch, is one that logMetrics takes. */
    static boolean inRange(long micros) {
        return micros >= EARLIEST && micros < END;
    }

    /** The rule the point breaks. */
    public String rule(int nameLength) {
        return switch (this) {
            case NAME -> "name must be 1 to " + nameLength + " characters";
            case SPLIT -> "split must be at most " + nameLength + " characters";
            case STEP -> "step must be >= 0";
            case TIME -> "time must be in the years 0001 to 9999";
        };
    }

    /** The rule with what the point has, as logMetrics answers it. */
    String describe(MetricPointInput point, int nameLength) {
        return switch (this) {
            case NAME, SPLIT -> rule(nameLength);
            case STEP -> rule(nameLength) + ", got " + point.step();
            case TIME -> rule(nameLength) + ", got " + point.time();
        };
    }
}
