package dev.trackstack.metric;

import java.time.Instant;

/** What logMetrics refuses in a point. Imports leave such points out instead, and count them per problem. */
public enum PointProblem {
    NAME, SPLIT, STEP, TIME;

    /** Point times have four-digit years, which ISO-8601 clients, JavaScript dates and PostgreSQL all handle. */
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant END = Instant.parse("+10000-01-01T00:00:00Z");

    /** The point's first problem, or null when logMetrics takes it. */
    public static PointProblem of(MetricPointInput point, int nameLength) {
        if (point.name() == null || point.name().isBlank() || point.name().length() > nameLength) {
            return NAME;
        }
        if (point.split() != null && point.split().length() > nameLength) {
            return SPLIT;
        }
        if (point.step() < 0) {
            return STEP;
        }
        Instant time = point.time() == null ? null : point.time().toInstant();
        if (time != null && (time.isBefore(EARLIEST) || !time.isBefore(END))) {
            return TIME;
        }
        return null;
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
