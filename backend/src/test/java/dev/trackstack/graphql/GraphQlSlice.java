package dev.trackstack.graphql;

import static org.mockito.Mockito.mock;

import java.util.List;

import dev.trackstack.auth.Caller;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.graphql.autoconfigure.GraphQlSourceBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.graphql.ExecutionGraphQlService;
import org.springframework.graphql.execution.RuntimeWiringConfigurer;
import org.springframework.graphql.server.WebGraphQlHandler;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.test.tester.WebGraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * What a {@code @GraphQlTest} slice needs besides its controllers: the settings at their defaults, the scalars, query
 * limits and parsed documents,
 * and a tester that passes the web interceptors, where {@link GraphQlErrors} gives refused documents their code
 * (the slice's own tester calls the GraphQL service directly). No HTTP server, no database.
 */
@TestConfiguration(proxyBeanMethods = false)
@EnableConfigurationProperties(TrackstackProperties.class)
public class GraphQlSlice {

    /** Its GraphQL beans only: the others (request body limit, WebSocket container) need a servlet container. */
    private final GraphQlConfiguration configuration = new GraphQlConfiguration();

    @Bean
    RuntimeWiringConfigurer scalars() {
        return configuration.scalars();
    }

    @Bean
    QueryLimits queryLimits(TrackstackProperties properties) {
        return configuration.queryLimits(properties);
    }

    @Bean
    GraphQlSourceBuilderCustomizer parsedDocuments() {
        return configuration.parsedDocuments();
    }

    @Bean
    WebGraphQlTester webGraphQlTester(ExecutionGraphQlService service, List<WebGraphQlInterceptor> interceptors) {
        return WebGraphQlTester.create(WebGraphQlHandler.builder(service).interceptors(interceptors).build());
    }

    /** The access guard's, which reads only for a token limited to some projects: the slice acts as the admin. */
    @Bean
    JdbcTemplate jdbcTemplate() {
        return mock(JdbcTemplate.class);
    }

    /** Makes the calling thread, where the tester runs the request, act as the admin (what the security filters do). */
    public static void actAsAdmin() {
        SecurityContextHolder.getContext().setAuthentication(
                new TestingAuthenticationToken(new Caller("admin", null, true, true, true, null), null));
    }

    public static void forgetCaller() {
        SecurityContextHolder.clearContext();
    }
}
