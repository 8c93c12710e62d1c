package dev.trackstack.system;

import java.util.List;
import java.util.Locale;

import graphql.GraphQLContext;
import graphql.schema.Coercing;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JacksonSerializable;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.jsontype.TypeSerializer;

/**
 * A column written straight to the response as a JSON array, each element as its scalar serializes it. A plain
 * list costs Jackson a serializer lookup and a boxed copy per element: a chart's 50 series × 1,000 points are
 * 300,000 elements.
 */
final class ColumnJson extends JacksonSerializable.Base {

    private final List<?> items;
    private final Coercing<?, ?> elements;
    private final GraphQLContext context;
    private final Locale locale;

    ColumnJson(List<?> items, Coercing<?, ?> elements, GraphQLContext context, Locale locale) {
        this.items = items;
        this.elements = elements;
        this.context = context;
        this.locale = locale;
    }

    @Override
    public void serialize(JsonGenerator json, SerializationContext serialization) {
        json.writeStartArray(items, items.size());
        for (Object item : items) {
            Object value = item == null ? null : elements.serialize(item, context, locale);
            if (value == null) {
                json.writeNull();
            } else if (value instanceof Double d) {
                json.writeNumber(d);
            } else if (value instanceof Long l) {
                json.writeNumber(l);
            } else if (value instanceof Integer i) {
                json.writeNumber(i);
            } else if (value instanceof String s) {
                json.writeString(s);
            } else {
                json.writePOJO(value);
            }
        }
        json.writeEndArray();
    }

    @Override
    public void serializeWithType(JsonGenerator json, SerializationContext serialization, TypeSerializer types) {
        serialize(json, serialization);
    }
}
