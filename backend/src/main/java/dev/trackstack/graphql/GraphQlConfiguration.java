package dev.trackstack.graphql;

import dev.trackstack.system.TrackstackProperties;
import graphql.scalars.ExtendedScalars;
import org.springframework.boot.graphql.autoconfigure.GraphQlSourceBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.graphql.execution.RuntimeWiringConfigurer;

@Configuration(proxyBeanMethods = false)
class GraphQlConfiguration {

    @Bean
    RuntimeWiringConfigurer scalars() {
        return wiring -> wiring
                .scalar(DateTimeScalar.INSTANCE)
                .scalar(JsonScalar.INSTANCE)
                .scalar(ExtendedScalars.GraphQLLong)
                .scalar(MetricValueScalar.INSTANCE)
                .scalar(ColumnScalars.LONGS)
                .scalar(ColumnScalars.DATE_TIMES)
                .scalar(ColumnScalars.METRIC_VALUES);
    }

    @Bean
    GraphQlSourceBuilderCustomizer parsedDocuments() {
        return builder -> builder.configureGraphQl(graphQl -> graphQl.preparsedDocumentProvider(new ParsedDocuments()));
    }

    @Bean
    QueryLimits queryLimits(TrackstackProperties properties) {
        return new QueryLimits(properties.limits());
    }
}
