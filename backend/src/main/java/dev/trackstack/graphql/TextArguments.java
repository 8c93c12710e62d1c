package dev.trackstack.graphql;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import dev.trackstack.system.ApiException;
import graphql.schema.DataFetcher;
import graphql.schema.FieldCoordinates;
import graphql.schema.GraphQLCodeRegistry;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLFieldsContainer;
import graphql.schema.GraphQLSchemaElement;
import graphql.schema.GraphQLTypeVisitorStub;
import graphql.util.TraversalControl;
import graphql.util.TraverserContext;
import org.springframework.boot.graphql.autoconfigure.GraphQlSourceBuilderCustomizer;
import org.springframework.graphql.execution.GraphQlSource;
import org.springframework.stereotype.Component;

/**
 * Refuses text that PostgreSQL cannot hold or would alter: U+0000 (which text and jsonb reject) and unpaired
 * surrogates (stored as '?'). Checked once here for every argument, names, tags, filters and JSON keys alike,
 * by wrapping the data fetcher of each field that takes arguments (an instrumentation would cost every field).
 */
@Component
class TextArguments extends GraphQLTypeVisitorStub implements GraphQlSourceBuilderCustomizer {

    @Override
    public void customize(GraphQlSource.SchemaResourceBuilder builder) {
        builder.typeVisitors(List.of(this));
    }

    @Override
    public TraversalControl visitGraphQLFieldDefinition(GraphQLFieldDefinition field,
            TraverserContext<GraphQLSchemaElement> context) {
        if (field.getArguments().isEmpty()) {
            return TraversalControl.CONTINUE;
        }
        GraphQLCodeRegistry.Builder registry = context.getVarFromParents(GraphQLCodeRegistry.Builder.class);
        FieldCoordinates coordinates = FieldCoordinates.coordinates((GraphQLFieldsContainer) context.getParentNode(),
                field);
        DataFetcher<?> fetcher = registry.getDataFetcher(coordinates, field);
        registry.dataFetcher(coordinates, (DataFetcher<?>) env -> {
            env.getArguments().forEach((name, value) -> check(field.getName(), name, value));
            return fetcher.get(env);
        });
        return TraversalControl.CONTINUE;
    }

    private static void check(String field, String argument, Object value) {
        if (value instanceof String text && !storable(text)) {
            throw ApiException.badInput("Argument '" + argument + "' of " + field
                    + " contains U+0000 or an unpaired surrogate character, which cannot be stored");
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> {
                check(field, argument, key);
                check(field, argument, item);
            });
        }
        if (value instanceof Collection<?> items) {
            items.forEach(item -> check(field, argument, item));
        }
    }

    private static boolean storable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0 || Character.isLowSurrogate(c)) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            }
        }
        return true;
    }
}
