package dev.trackstack.graphql;

import java.util.List;
import java.util.Map;

import dev.trackstack.system.TrackstackProperties;
import graphql.ExecutionResult;
import graphql.analysis.QueryTraverser;
import graphql.analysis.QueryVisitorFieldEnvironment;
import graphql.execution.AbortExecutionException;
import graphql.execution.ExecutionContext;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimpleInstrumentationContext;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;

/**
 * Refuses a document nested deeper than {@code trackstack.limits.query-depth} or with more fields than
 * {@code trackstack.limits.query-complexity}, once per operation before it runs, in one walk of graphql-java's
 * query traverser, with graphql-java's messages; and runs queries with more sort keys or filters than {@code trackstack.limits.sort-keys}
 * and {@code trackstack.limits.filters}. It is the only instrumentation on purpose: graphql-java calls the instrumentation for
 * every field it resolves, and a chain of several costs an allocation per link and field, which was most of
 * the time of a chart's {@code series} (50 series × 1,000 points are 300,000 fields).
 */
final class QueryLimits extends SimplePerformantInstrumentation {

    private final int maxDepth;
    private final int maxComplexity;
    private final int maxSortKeys;
    private final int maxFilters;

    QueryLimits(TrackstackProperties.Limits limits) {
        this.maxDepth = limits.queryDepth();
        this.maxComplexity = limits.queryComplexity();
        this.maxSortKeys = limits.sortKeys();
        this.maxFilters = limits.filters();
    }

    @Override
    public InstrumentationContext<ExecutionResult> beginExecuteOperation(
            InstrumentationExecuteOperationParameters parameters, InstrumentationState state) {
        ExecutionContext context = parameters.getExecutionContext();
        String operation = context.getExecutionInput().getOperationName();
        // One walk for both: the complexity is the number of fields (graphql-java's QueryComplexityCalculator with
        // 1 + children per field counts the same fields, in a second walk that took half of this check's time).
        int[] fields = {0};
        int depth = QueryTraverser.newQueryTraverser().schema(context.getGraphQLSchema())
                .document(context.getDocument()).operationName(operation)
                .coercedVariables(context.getCoercedVariables()).build()
                .reducePreOrder((field, deepest) -> {
                    checkRunsArguments(field.getArguments());
                    fields[0]++;
                    return Math.max(depth(field), deepest);
                }, 0);
        if (depth > maxDepth) {
            throw new AbortExecutionException("maximum query depth exceeded " + depth + " > " + maxDepth);
        }
        if (fields[0] > maxComplexity) {
            throw new AbortExecutionException("maximum query complexity exceeded " + fields[0] + " > " + maxComplexity);
        }
        return SimpleInstrumentationContext.noOp();
    }

    /**
     * The sort keys and filters of the runs connection (Query.runs, Model.runs) each become a term of its SQL,
     * planned and run for every run: thousands took seconds or exhausted PostgreSQL's stack. They are counted here,
     * before Spring binds them to records, which alone took 6 s for 16,000 sort keys.
     */
    private void checkRunsArguments(Map<String, Object> arguments) {
        if (arguments.get("orderBy") instanceof List<?> orderBy && orderBy.size() > maxSortKeys) {
            throw new AbortExecutionException(orderBy.size() + " sort keys exceeds the limit of " + maxSortKeys);
        }
        if (arguments.get("filter") instanceof Map<?, ?> filter) {
            int filters = size(filter.get("params")) + size(filter.get("metrics"));
            if (filters > maxFilters) {
                throw new AbortExecutionException(filters + " parameter and metric filters exceeds the limit of "
                        + maxFilters);
            }
        }
    }

    private static int size(Object list) {
        return list instanceof List<?> l ? l.size() : 0;
    }

    /** 1 for a root field. */
    private static int depth(QueryVisitorFieldEnvironment field) {
        int depth = 0;
        for (QueryVisitorFieldEnvironment f = field; f != null; f = f.getParentEnvironment()) {
            depth++;
        }
        return depth;
    }
}
