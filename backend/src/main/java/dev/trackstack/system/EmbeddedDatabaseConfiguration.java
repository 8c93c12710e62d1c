package dev.trackstack.system;

import java.io.IOException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With no datasource URL configured, Trackstack runs on a real PostgreSQL started from the embedded binaries,
 * keeping its data in {@code trackstack.data-dir} so that it survives restarts.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
class EmbeddedDatabaseConfiguration {

    /** Spring closes it after everything that writes to it has stopped. */
    @Bean(destroyMethod = "close")
    SupervisedPostgres embeddedPostgres(TrackstackProperties properties) throws IOException {
        return SupervisedPostgres.start(properties.dataDir().toAbsolutePath());
    }

    /** A pool of the same settings as a configured database's ({@code spring.datasource.hikari.*}). */
    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    DataSource dataSource(SupervisedPostgres postgres) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.jdbcUrl());
        dataSource.setUsername(postgres.user());
        dataSource.setPassword(postgres.password());
        dataSource.setPoolName("embedded");
        return dataSource;
    }

    /** The restarts that health shows, for Prometheus too: {@code trackstack_database_restarts_total}. */
    @Bean
    MeterBinder embeddedDatabaseRestarts(SupervisedPostgres postgres) {
        return registry -> FunctionCounter.builder("trackstack.database.restarts", postgres,
                SupervisedPostgres::restarts).baseUnit("restarts")
                .description("Times the embedded PostgreSQL was started again after exiting unasked")
                .register(registry);
    }

    /** {@code embeddedDatabase} in /actuator/health/database: whether PostgreSQL runs, and its restarts. */
    @Bean
    HealthIndicator embeddedDatabaseHealthIndicator(SupervisedPostgres postgres) {
        return () -> {
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
