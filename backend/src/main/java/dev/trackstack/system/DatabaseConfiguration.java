package dev.trackstack.system;

import java.io.IOException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.StringUtils;

/**
 * The database that {@code spring.datasource.url} names or, with none, a real PostgreSQL started from the embedded
 * binaries, keeping its data in {@code trackstack.data-dir} so that it survives restarts. Chosen at run time, not by
 * a condition: the jar's bean definitions are fixed when it is built (Spring AOT, for a faster start). The embedded
 * database's beans are null (no bean) with a URL set.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

    /** Spring closes it after everything that writes to it has stopped. */
    @Bean(destroyMethod = "close")
    SupervisedPostgres embeddedPostgres(DataSourceProperties dataSource, TrackstackProperties properties)
            throws IOException {
        return StringUtils.hasText(dataSource.getUrl()) ? null
                : SupervisedPostgres.start(properties.dataDir().toAbsolutePath());
    }

    /** A pool with the settings {@code spring.datasource.hikari.*}, on either database. */
    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    DataSource dataSource(DataSourceProperties properties, ObjectProvider<SupervisedPostgres> embedded) {
        SupervisedPostgres postgres = embedded.getIfAvailable();
        if (postgres == null) {
            return properties.initializeDataSourceBuilder().type(HikariDataSource.class).build();
        }
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.jdbcUrl());
        dataSource.setUsername(postgres.user());
        dataSource.setPassword(postgres.password());
        dataSource.setPoolName("embedded");
        return dataSource;
    }

    /** The restarts that health shows, for Prometheus too: {@code trackstack_database_restarts_total}. */
    @Bean
    MeterBinder embeddedDatabaseRestarts(ObjectProvider<SupervisedPostgres> embedded) {
        SupervisedPostgres postgres = embedded.getIfAvailable();
        return postgres == null ? null : registry -> FunctionCounter.builder("trackstack.database.restarts", postgres,
                SupervisedPostgres::restarts).baseUnit("restarts")
                .description("Times the embedded PostgreSQL was started again after exiting unasked")
                .register(registry);
    }

    /** {@code embeddedDatabase} in /actuator/health/database: whether PostgreSQL runs, and its restarts. */
    @Bean
    HealthIndicator embeddedDatabaseHealthIndicator(ObjectProvider<SupervisedPostgres> embedded) {
        SupervisedPostgres postgres = embedded.getIfAvailable();
        return postgres == null ? null : () -> {
            Health.Builder health = postgres.running() ? Health.up() : Health.down();
            health.withDetail("restarts", postgres.restarts());
            if (postgres.lastRestart() != null) {
                health.withDetail("lastRestart", postgres.lastRestart().toString())
                        .withDetail("lastExitCode", postgres.lastExitCode());
            }
            return health.build();
        };
    }
}
