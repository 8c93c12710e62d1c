package dev.trackstack.system;

import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import graphql.scalars.ExtendedScalars;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.graphql.execution.RuntimeWiringConfigurer;

@Configuration(proxyBeanMethods = false)
class GraphQlConfiguration {

    @Bean
    RuntimeWiringConfigurer scalars() {
        return wiring -> wiring
                .scalar(ExtendedScalars.DateTime)
                .scalar(ExtendedScalars.Json)
                .scalar(ExtendedScalars.GraphQLLong)
                .scalar(MetricValueScalar.INSTANCE);
    }

    @Bean
    MaxQueryDepthInstrumentation maxQueryDepth(TrackstackProperties properties) {
        return new MaxQueryDepthInstrumentation(properties.limits().queryDepth());
    }

    @Bean
    MaxQueryComplexityInstrumentation maxQueryComplexity(TrackstackProperties properties) {
        return new MaxQueryComplexityInstrumentation(properties.limits().queryComplexity());
    }
}
