package dev.trackstack.run;

import java.util.List;

/** @param ids runs with one of these ids (the compare view's runs, in one request) */
public record RunFilter(List<String> ids, List<RunKind> kinds, List<RunStatus> status, List<String> tags, String nameContains, List<ParamFilter> params,
        List<MetricFilter> metrics) {

    public enum CompareOp { EQ, NE, LT, LTE, GT, GTE }

    public enum SummaryStat { LAST, MIN, MAX }

    public record ParamFilter(String key, CompareOp op, Object value) {
    }

    public record MetricFilter(String name, String split, SummaryStat stat, CompareOp op, Double value) {
    }
}
