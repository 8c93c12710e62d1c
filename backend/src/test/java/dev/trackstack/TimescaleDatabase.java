package dev.trackstack;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * TimescaleDB for tests: the database whose JDBC URL an environment variable gives, or else a container of the
 * official image where Docker runs. Test classes that need one are enabled by {@link #fullAvailable} or
 * {@link #apacheAvailable}, so that without either they are skipped with the reason.
 */
public enum TimescaleDatabase {

    /** With its community features (continuous aggregates, compression). */
    FULL("TRACKSTACK_TEST_TIMESCALE_URL", "timescale"),
    /** Apache-only, as Debian builds it: hypertables without continuous aggregates. */
    APACHE("TRACKSTACK_TEST_TIMESCALE_APACHE_URL", "apache");

    public static final String UNAVAILABLE = "TimescaleDB is not reachable here: set TRACKSTACK_TEST_TIMESCALE_URL "
            + "(and TRACKSTACK_TEST_TIMESCALE_APACHE_URL) to a JDBC URL, or run where Docker runs";

    private static final DockerImageName IMAGE = DockerImageName.parse("timescale/timescaledb:2.29.2-pg17")
            .asCompatibleSubstituteFor("postgres");

    private final String variable;
    private final String license;
    private PostgreSQLContainer container;

    TimescaleDatabase(String variable, String license) {
        this.variable = variable;
        this.license = license;
    }

    public static boolean fullAvailable() {
        return FULL.available();
    }

    public static boolean apacheAvailable() {
        return APACHE.available();
    }

    private boolean available() {
        return System.getenv(variable) != null || DockerClientFactory.instance().isDockerAvailable();
    }

    /** Points the application at this database. */
    public synchronized void register(DynamicPropertyRegistry registry) {
        String url = System.getenv(variable);
        if (url != null) {
            registry.add("spring.datasource.url", () -> url);
            return;
        }
        if (container == null) {
            container = new PostgreSQLContainer(IMAGE).withCommand("postgres", "-c", "timescaledb.license=" + license);
            container.start();
        }
        registry.add("spring.datasource.url", container::getJdbcUrl);
        registry.add("spring.datasource.username", container::getUsername);
        registry.add("spring.datasource.password", container::getPassword);
    }
}
