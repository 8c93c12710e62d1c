package dev.trackstack.graphql;

import java.util.List;
import java.util.Locale;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.Value;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.GraphQLScalarType;

/**
 * Output-only scalars for points sent column by column: a column is one value, a JSON array, which graphql-java
 * completes once, where a list of scalars costs it a completion per element (a chart's 50 series × 1,000 points
 * are 300,000 elements; 20 subscribers of a 1,000-point batch, 60,000). The elements are written as the element
 * scalar writes them; a null element stays null. A {@link SharedColumn} is written once for all who receive it.
 */
final class ColumnScalars {

    static final GraphQLScalarType LONGS = columnOf("LongList", ColumnJson.Element.LONG);
    static final GraphQLScalarType DATE_TIMES = columnOf("DateTimeList", ColumnJson.Element.DATE_TIME);
    static final GraphQLScalarType METRIC_VALUES = columnOf("MetricValueList", ColumnJson.Element.METRIC_VALUE);

    private ColumnScalars() {
    }

    private static GraphQLScalarType columnOf(String name, ColumnJson.Element element) {
        return GraphQLScalarType.newScalar().name(name).coercing(new Coercing<List<?>, Object>() {
            @Override
            public Object serialize(Object value, GraphQLContext context, Locale locale) {
                if (value instanceof SharedColumn shared) {
                    return shared.json(element);
                }
                return new ColumnJson((List<?>) value, element);
            }

            @Override
            public List<?> parseValue(Object input, GraphQLContext context, Locale locale) {
                throw new CoercingParseValueException(name + " is only sent, never accepted");
            }

            @Override
            public List<?> parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context,
                    Locale locale) {
                throw new CoercingParseLiteralException(name + " is only sent, never accepted");
            }
        }).build();
    }
}
