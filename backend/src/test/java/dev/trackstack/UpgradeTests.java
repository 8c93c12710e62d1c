package dev.trackstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import dev.trackstack.storage.StorageSchema;
import dev.trackstack.system.EmbeddedDatabase;
import dev.trackstack.system.EmbeddedDatabaseException;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The upgrade path (docs/operations.md, "Upgrades"): a data directory of the previous release opens in this one,
 * which migrates it and reads its runs and points; one of another PostgreSQL major version is refused with what to do.
 */
class UpgradeTests {

    /**
     * The Flyway schema version of the previous release, to be moved up at each release. No release is tagged yet
     * (0.1.0 is the first): until then, the schema before the latest migration stands in for it.
     */
    static final String PREVIOUS_RELEASE_SCHEMA = "14";

    /** Tables that grow with use, which no migration may rewrite in place without saying so. */
    private static final List<String> BIG_TABLES = List.of("metric_point", "metric_rollup", "span", "console_line");

    @TempDir
    private Path work;

    @Test
    void shouldOpenADataDirectoryOfThePreviousRelease() throws Exception {
        Path dataDir = work.resolve("data");
        try (EmbeddedDatabase previous = EmbeddedDatabase.open(dataDir)) {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setUrl(previous.jdbcUrl());
            dataSource.setUser(previous.user());
            dataSource.setPassword(previous.password());
            StorageSchema.migrations(dataSource).target(PREVIOUS_RELEASE_SCHEMA).load().migrate();
            // Written as that release's ingest writes: points, their series' summaries, the rollups.
            try (Connection connection = dataSource.getConnection(); Statement sql = connection.createStatement()) {
                sql.execute("""
                        insert into project (name) values ('upgraded');
                        insert into model (project_id, name) select id, 'model' from project;
                        insert into run (model_id, name, status, hyperparameters, tags, finished_at)
                            select id, 'old run', 'COMPLETED', '{"lr": 0.01}', '{kept}', now() from model;
                        insert into metric_series (run_id, name, split) select id, 'loss', 'train' from run;
                        insert into metric_point (series_id, step, ts, value)
                            select s.id, step, now() - interval '1 hour' + step * interval '1 second',
                                   case when step = 500 then 'NaN' else 1.0 / (step + 1) end
                            from metric_series s, generate_series(0, 999) step;
                        update metric_series set point_count = 1000, last_step = 999,
                            last_value = 0.001, min_step = 999, min_value = 0.001, max_step = 0, max_value = 1;
                        """);
                StorageSchema.rebuildRollups(connection);
            }
        }

        try (ConfigurableApplicationContext server = new SpringApplication(TrackstackApplication.class)
                .run("--server.port=0", "--trackstack.data-dir=" + dataDir)) {
            HttpGraphQlTester graphQl = HttpGraphQlTester.create(WebTestClient.bindToServer(new JdkClientHttpConnector())
                    .baseUrl("http://localhost:" + ((WebServerApplicationContext) server).getWebServer().getPort()
                            + "/graphql").responseTimeout(Duration.ofSeconds(60)).build());
            String runId = graphQl.document("{ project(name: \"upgraded\") { models { runs { edges { node { id } } } } } }")
                    .execute().path("project.models[0].runs.edges[0].node.id").entity(String.class).get();
            graphQl.document("query($id: ID!) { run(id: $id) { name status tags summaries { last min max } } }")
                    .variable("id", runId).execute()
                    .path("run.name").entity(String.class).isEqualTo("old run")
                    .path("run.status").entity(String.class).isEqualTo("COMPLETED")
                    .path("run.tags").entityList(String.class).containsExactly("kept")
                    .path("run.summaries[0].min").entity(Double.class).isEqualTo(0.001);
            List<?> points = graphQl.documentName("series").variable("runIds", List.of(runId))
                    .variable("maxPoints", 1000).execute().path("series[0].points").entity(List.class).get();
            assertThat(points).hasSize(1000);
            assertThat(((Map<?, ?>) points.get(3)).get("value")).isEqualTo(0.25);
            assertThat(((Map<?, ?>) points.get(500)).get("value")).isEqualTo("NaN");
            graphQl.documentName("series").variable("runIds", List.of(runId)).variable("maxPoints", 10).execute()
                    .path("series[0].resolution").entity(String.class).satisfies(r -> assertThat(r).startsWith("rollup-"))
                    .path("series[0].points[0].max").entity(Double.class).isEqualTo(1.0);
        }
    }

    /** docs/operations.md, "Migrations on big tables": none rewrites one in place unless it says so. */
    @Test
    void migrationsSinceThePreviousReleaseRewriteNoBigTableUnannounced() throws Exception {
        MigrationVersion previous = MigrationVersion.fromVersion(PREVIOUS_RELEASE_SCHEMA);
        Resource[] migrations = new PathMatchingResourcePatternResolver().getResources("classpath*:db/migration/V*.sql");
        assertThat(migrations).isNotEmpty();
        for (Resource migration : migrations) {
            String name = migration.getFilename();
            if (MigrationVersion.fromVersion(name.substring(1, name.indexOf("__"))).compareTo(previous) <= 0) {
                continue;
            }
            String sql = migration.getContentAsString(StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
            for (String table : BIG_TABLES) {
                Pattern rewrite = Pattern.compile("(alter\\s+table\\s+(only\\s+|if\\s+exists\\s+)*" + table
                        + "\\b[^;]*\\b(type|add\\s+primary\\s+key|set\\s+(logged|unlogged)|default\\s+[^;,]*\\()"
                        + "|update\\s+" + table + "\\b|cluster\\s+" + table + "\\b|vacuum\\s+full)");
                assertThat(rewrite.matcher(sql.replaceAll("--[^\\n]*", "")).find()
                        && !sql.contains("-- rewrites " + table + ":"))
                        .as(name + " rewrites " + table + " without a '-- Rewrites " + table + ":' comment").isFalse();
            }
        }
    }

    @Test
    void shouldRefuseADataDirectoryOfAnotherPostgresMajorVersion() throws Exception {
        Path dataDir = Files.createDirectories(work.resolve("data"));
        Files.writeString(dataDir.resolve("PG_VERSION"), "17\n");
        assertThatThrownBy(() -> EmbeddedDatabase.open(dataDir)).isInstanceOf(EmbeddedDatabaseException.class)
                .hasMessageMatching("The data directory .*/data was made by PostgreSQL 17, and this Trackstack runs "
                        + "PostgreSQL \\d+, which cannot open it\\.")
                .satisfies(e -> assertThat(((EmbeddedDatabaseException) e).action())
                        .contains("java -jar trackstack.jar restore"));
    }
}
