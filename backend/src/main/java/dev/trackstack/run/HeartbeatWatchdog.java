package dev.trackstack.run;

import java.util.List;

import dev.trackstack.system.TrackstackProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/** Marks RUNNING runs whose heartbeats stopped as CRASHED. Runs that never sent one are left alone. */
@Component
@EnableScheduling
class HeartbeatWatchdog implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatWatchdog.class);

    private final RunLifecycle lifecycle;
    private final TrackstackProperties properties;

    HeartbeatWatchdog(RunLifecycle lifecycle, TrackstackProperties properties) {
        this.lifecycle = lifecycle;
        this.properties = properties;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(this::check, properties.heartbeatCheckInterval());
    }

    /** A database outage is reported by the requests that fail; here one line per check, not a stack trace. */
    private void check() {
        try {
            markCrashed();
        } catch (DataAccessException e) {
            log.warn("Heartbeat check skipped, the database is unavailable: {}", e.getMostSpecificCause().getMessage());
        }
    }

    List<Long> markCrashed() {
        List<Long> crashed = lifecycle.crashSilent(properties.heartbeatTimeout());
        if (!crashed.isEmpty()) {
            log.info("Runs {} stopped sending heartbeats; marked CRASHED", crashed);
        }
        return crashed;
    }
}
