package dev.trackstack.run;

public record RunOrder(Field field, Direction direction, String param, MetricRef metric) {

    public enum Field { CREATED_AT, NAME, STATUS, PARAM, METRIC }

    public enum Direction { ASC, DESC }

    public record MetricRef(String name, String split, RunFilter.SummaryStat stat) {
    }
}
