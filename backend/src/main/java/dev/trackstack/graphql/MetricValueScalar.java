package dev.trackstack.graphql;

import java.util.Locale;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.FloatValue;
import graphql.language.IntValue;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.GraphQLScalarType;
import tools.jackson.core.JsonGenerator;

/**
 * A double that may be NaN or ±Infinity: JSON has no literal for those, so they travel as the strings
 * "NaN", "Infinity" and "-Infinity"; finite values travel as numbers.
 */
final class MetricValueScalar {

    static final GraphQLScalarType INSTANCE = GraphQLScalarType.newScalar()
            .name("MetricValue")
            .coercing(new Coercing<Double, Object>() {
                @Override
                public Object serialize(Object value, GraphQLContext context, Locale locale) {
                    double d = ((Number) value).doubleValue();
                    String name = nameOf(d);
                    return name != null ? name : d;
                }

                @Override
                public Double parseValue(Object input, GraphQLContext context, Locale locale) {
                    if (input instanceof Number n) {
                        return n.doubleValue();
                    }
                    if (input instanceof String s) {
                        Double d = special(s);
                        if (d != null) {
                            return d;
                        }
                    }
                    throw new CoercingParseValueException(message(input));
                }

                @Override
                public Double parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context,
                        Locale locale) {
                    if (input instanceof FloatValue f) {
                        return f.getValue().doubleValue();
                    }
                    if (input instanceof IntValue i) {
                        return i.getValue().doubleValue();
                    }
                    if (input instanceof StringValue s) {
                        Double d = special(s.getValue());
                        if (d != null) {
                            return d;
                        }
                        throw new CoercingParseLiteralException(message('"' + s.getValue() + '"'));
                    }
                    throw new CoercingParseLiteralException(message(input));
                }
            })
            .build();

    private MetricValueScalar() {
    }

    /** Writes a column's element as {@link #INSTANCE} serializes it. */
    static void write(JsonGenerator json, Object value) {
        double d = ((Number) value).doubleValue();
        String name = nameOf(d);
        if (name != null) {
            json.writeString(name);
        } else {
            json.writeNumber(d);
        }
    }

    /** The string a value that JSON has no number for travels as; null for finite values. */
    private static String nameOf(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return null;
    }

    private static Double special(String s) {
        return switch (s) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> null;
        };
    }

    private static String message(Object input) {
        return "MetricValue must be a number or \"NaN\", \"Infinity\", \"-Infinity\"; got " + input;
    }
}
