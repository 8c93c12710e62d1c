package dev.trackstack.system;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
import graphql.schema.GraphQLScalarType;

/**
 * The JSON scalar of graphql-java-extended-scalars, except for literals: its own fails with an internal error
 * on a null inside a literal ({@code {a: null}}, {@code [null]}), which is valid JSON.
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
                    return JSON.parseValue(input, context, locale);
                }

                @Override
                public Object parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context,
                        Locale locale) {
                    return literal(input, variables);
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
            return i.getValue();
        }
        if (value instanceof FloatValue f) {
            return f.getValue();
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
}
