package dev.trackstack.web;

import dev.trackstack.storage.PointStore;
import dev.trackstack.system.ServerVersion;
import dev.trackstack.system.TrackstackProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** Tells a newcomer where to point the browser and where the data lives. */
@Component
class StartupBanner {

    private static final Logger log = LoggerFactory.getLogger(StartupBanner.class);

    private final TrackstackProperties properties;
    private final PointStore store;
    private final ServerVersion version;

    StartupBanner(TrackstackProperties properties, PointStore store, ServerVersion version) {
        this.properties = properties;
        this.store = store;
        this.version = version;
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        Environment env = event.getApplicationContext().getEnvironment();
        int port = event.getApplicationContext() instanceof WebServerApplicationContext web
                ? web.getWebServer().getPort() : env.getProperty("server.port", Integer.class, 8080);
        String address = env.getProperty("server.address", "localhost");
        String base = "http://" + address + ":" + port;
        String database = env.getProperty("spring.datasource.url", "");
        String where = database.isEmpty()
                ? "embedded PostgreSQL, data in " + properties.dataDir().toAbsolutePath()
                : database;
        log.info("\n\n  Trackstack {} is ready\n    Dashboard: {}/\n    GraphiQL:  {}/graphiql\n    API:       {}/graphql"
                + "\n    Storage:   {} ({})\n", version.value(), base, base, base, where, store.mode());
    }
}
