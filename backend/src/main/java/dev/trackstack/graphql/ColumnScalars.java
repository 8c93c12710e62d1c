package dev.trackstack.graphql;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

import dev.trackstack.system.EpochMicros;
import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.ArrayValue;
import graphql.language.NullValue;
import graphql.language.Value;
import graphql.scalars.ExtendedScalars;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.GraphQLScalarType;

/**
 * Scalars for points column by column: a column is one value, a JSON array, which graphql-java completes once,
 * where a list of scalars costs it a completion per element (a chart's 50 series × 1,000 points are 300,000
 * elements; 20 subscribers of a 1,000-point batch, 60,000). The elements are written as the element scalar writes
 * them; a null element stays null. A {@link SharedColumn} is written once for all who receive it.
 *
 * <p>Accepted (logMetrics' columns), a column becomes a primitive array in one pass, with no element null: long[]
 * for LongList, double[] for MetricValueList, and long[] of microseconds since the epoch for DateTimeList.
 */
final class ColumnScalars {

    static final GraphQLScalarType LONGS = columnOf("LongList", ColumnJson.Element.LONG);
    static final GraphQLScalarType DATE_TIMES = columnOf("DateTimeList", ColumnJson.Element.DATE_TIME);
    static final GraphQLScalarType METRIC_VALUES = columnOf("MetricValueList", ColumnJson.Element.METRIC_VALUE);

    private ColumnScalars() {
    }

    private static GraphQLScalarType columnOf(String name, ColumnJson.Element element) {
        return GraphQLScalarType.newScalar().name(name).coercing(new Coercing<Object, Object>() {
            @Override
            public Object serialize(Object value, GraphQLContext context, Locale locale) {
                if (value instanceof SharedColumn shared) {
                    return shared.json(element);
                }
                return new ColumnJson((List<?>) value, element);
            }

            @Override
            public Object parseValue(Object input, GraphQLContext context, Locale locale) {
                if (!(input instanceof List<?> items)) {
                    throw new CoercingParseValueException(name + " must be an array, got " + input);
                }
                return arrayOf(items.size(), i -> parse(element, items.get(i), context, locale), name);
            }

            @Override
            public Object parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context,
                    Locale locale) {
                if (!(input instanceof ArrayValue array)) {
                    throw new CoercingParseLiteralException(name + " must be an array, got " + input);
                }
                List<Value> items = array.getValues();
                return arrayOf(items.size(), i -> literal(element, items.get(i), variables, context, locale),
                        name);
            }

            private Object arrayOf(int size, IntFunction<Object> elementAt, String name) {
                Object array = switch (element) {
                    case METRIC_VALUE -> new double[size];
                    case LONG, DATE_TIME -> new long[size];
                };
                for (int i = 0; i < size; i++) {
                    Object value;
                    try {
                        value = elementAt.apply(i);
                    } catch (CoercingParseValueException | CoercingParseLiteralException e) {
                        throw new CoercingParseValueException(name + "[" + i + "]: " + e.getMessage());
                    }
                    if (value == null) {
                        throw new CoercingParseValueException(name + "[" + i + "] is null; an accepted column has "
                                + "a value in every element");
                    }
                    if (array instanceof double[] doubles) {
                        doubles[i] = (Double) value;
                    } else {
                        ((long[]) array)[i] = (Long) value;
                    }
                }
                return array;
            }
        }).build();
    }

    /** An element as its scalar parses it, a time as microseconds; null for null. */
    private static Object parse(ColumnJson.Element element, Object input, GraphQLContext context, Locale locale) {
        if (input == null) {
            return null;
        }
        return switch (element) {
            case LONG -> input instanceof Integer || input instanceof Long ? ((Number) input).longValue()
                    : ExtendedScalars.GraphQLLong.getCoercing().parseValue(input, context, locale);
            case METRIC_VALUE -> input instanceof Double d ? d
                    : MetricValueScalar.INSTANCE.getCoercing().parseValue(input, context, locale);
            case DATE_TIME -> micros((OffsetDateTime) DateTimeScalar.INSTANCE.getCoercing()
                    .parseValue(input, context, locale));
        };
    }

    private static Object literal(ColumnJson.Element element, Value<?> input, CoercedVariables variables,
            GraphQLContext context, Locale locale) {
        if (input instanceof NullValue) {
            return null;
        }
        return switch (element) {
            case LONG -> ExtendedScalars.GraphQLLong.getCoercing().parseLiteral(input, variables, context, locale);
            case METRIC_VALUE -> MetricValueScalar.INSTANCE.getCoercing()
                    .parseLiteral(input, variables, context, locale);
            case DATE_TIME -> micros((OffsetDateTime) DateTimeScalar.INSTANCE.getCoercing()
                    .parseLiteral(input, variables, context, locale));
        };
    }

    private static long micros(OffsetDateTime time) {
        return EpochMicros.of(time.toInstant());
    }
}
