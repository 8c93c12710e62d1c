package dev.trackstack.graphql;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.ArrayValue;
import graphql.language.BooleanValue;
import graphql.language.EnumValue;
import graphql.language.FloatValue;
import graphql.language.IntValue;
import graphql.language.NullValue;
import graphql.language.ObjectField;
import graphql.language.ObjectValue;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.language.VariableReference;
import graphql.scalars.ExtendedScalars;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.GraphQLScalarType;

/**
 * The JSON scalar of graphql-java-extended-scalars, except for literals: its own fails with an internal error
 * on a null inside a literal ({@code {a: null}}, {@code [null]}), which is valid JSON. A literal's numbers become
 * what the JSON reader makes of the same number in a variable (a double for a decimal), and a number beyond the
 * double range is refused either way: the reader turns {@code 1e400} into Infinity, which JSON cannot hold, and a
 * literal kept it as a 401-digit decimal.
 */
final class JsonScalar {

    @SuppressWarnings("unchecked")
    private static final Coercing<Object, Object> JSON = (Coercing<Object, Object>) ExtendedScalars.Json.getCoercing();

    static final GraphQLScalarType INSTANCE = ExtendedScalars.Json.transform(scalar -> scalar.coercing(
            new Coercing<Object, Object>() {
                @Override
                public Object serialize(Object value, GraphQLContext context, Locale locale) {
                    return JSON.serialize(value, context, locale);
                }

                @Override
                public Object parseValue(Object input, GraphQLContext context, Locale locale) {
                    String outOfRange = outOfRange(input);
                    if (outOfRange != null) {
                        throw new CoercingParseValueException(outOfRange);
                    }
                    return JSON.parseValue(input, context, locale);
                }

                @Override
                public Object parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context,
                        Locale locale) {
                    Object value = literal(input, variables);
                    String outOfRange = outOfRange(value);
                    if (outOfRange != null) {
                        throw new CoercingParseLiteralException(outOfRange);
                    }
                    return value;
                }

                @Override
                public Value<?> valueToLiteral(Object input, GraphQLContext context, Locale locale) {
                    return JSON.valueToLiteral(input, context, locale);
                }
            }));

    private JsonScalar() {
    }

    private static Object literal(Value<?> value, CoercedVariables variables) {
        if (value instanceof NullValue) {
            return null;
        }
        if (value instanceof StringValue s) {
            return s.getValue();
        }
        if (value instanceof IntValue i) {
            BigInteger number = i.getValue();
            return number.bitLength() < Long.SIZE ? (Object) number.longValue() : number;
        }
        if (value instanceof FloatValue f) {
            return f.getValue().doubleValue();
        }
        if (value instanceof BooleanValue b) {
            return b.isValue();
        }
        if (value instanceof EnumValue e) {
            return e.getName();
        }
        if (value instanceof VariableReference v) {
            return variables.get(v.getName());
        }
        if (value instanceof ArrayValue array) {
            List<Object> list = new ArrayList<>();
            array.getValues().forEach(item -> list.add(literal(item, variables)));
            return list;
        }
        if (value instanceof ObjectValue object) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (ObjectField field : object.getObjectFields()) {
                map.put(field.getName(), literal(field.getValue(), variables));
            }
            return map;
        }
        throw new CoercingParseLiteralException("Not a JSON value: " + value);
    }

    /** A message naming the first number in the value that does not fit a double, or null when all do. */
    private static String outOfRange(Object value) {
        if (value instanceof Map<?, ?> map) {
            return map.values().stream().map(JsonScalar::outOfRange).filter(Objects::nonNull).findFirst().orElse(null);
        }
        if (value instanceof List<?> list) {
            return list.stream().map(JsonScalar::outOfRange).filter(Objects::nonNull).findFirst().orElse(null);
        }
        if (value instanceof Number number && !Double.isFinite(number.doubleValue())) {
            return "A number out of range: JSON numbers must fit a double (about ±1.8e308)";
        }
        return null;
    }
}
