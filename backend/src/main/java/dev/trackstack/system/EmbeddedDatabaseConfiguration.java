package dev.trackstack.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With no datasource URL configured, Trackstack runs on a real PostgreSQL started from the embedded binaries,
 * keeping its data in {@code trackstack.data-dir} so that it survives restarts.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
class EmbeddedDatabaseConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseConfiguration.class);

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(TrackstackProperties properties) throws IOException {
        if ("root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("The embedded PostgreSQL refuses to run as root. Start Trackstack as an "
                    + "ordinary user, or point spring.datasource.url at a PostgreSQL server.");
        }
        Path dataDir = properties.dataDir().toAbsolutePath();
        Files.createDirectories(dataDir);
        stopOrphanedPostmaster(dataDir);
        log.info("Embedded PostgreSQL data directory: {}", dataDir);
        return EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                // Zonky tunes for throwaway test databases; this one holds the user's results, and a
                // logMetrics call that returned must survive a crash.
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("listen_addresses", "localhost")
                .setPGStartupWait(Duration.ofSeconds(120))
                // Spring closes it after everything that writes to it has stopped.
                .setRegisterShutdownHook(false)
                .start();
    }

    /** A pool of the same settings as a configured database's ({@code spring.datasource.hikari.*}). */
    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    DataSource dataSource(EmbeddedPostgres postgres) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        dataSource.setPoolName("embedded");
        return dataSource;
    }

    /** A JVM killed with SIGKILL leaves its postmaster running, which would lock the data directory. */
    private static void stopOrphanedPostmaster(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        ProcessHandle.of(pid)
                .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false))
                .ifPresent(p -> {
                    log.warn("Stopping the orphaned PostgreSQL (pid {}) left by an earlier run", pid);
                    p.destroy();
                    try {
                        p.onExit().get(60, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException("Could not stop orphaned PostgreSQL pid " + pid, e);
                    }
                });
    }
}
