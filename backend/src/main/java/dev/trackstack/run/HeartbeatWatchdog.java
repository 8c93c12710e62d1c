package dev.trackstack.run;

import java.util.List;

import dev.trackstack.live.LiveEvents;
import dev.trackstack.live.RunEvent;
import dev.trackstack.system.TrackstackProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/** Marks RUNNING runs whose heartbeats stopped as CRASHED. Runs that never sent one are left alone. */
@Component
@EnableScheduling
class HeartbeatWatchdog implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatWatchdog.class);

    private final JdbcTemplate jdbc;
    private final LiveEvents live;
    private final TrackstackProperties properties;

    HeartbeatWatchdog(JdbcTemplate jdbc, LiveEvents live, TrackstackProperties properties) {
        this.jdbc = jdbc;
        this.live = live;
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
        List<Long> crashed = jdbc.queryForList("""
                update run set status = 'CRASHED', finished_at = now()
                where status = 'RUNNING' and last_heartbeat_at < now() - ? * interval '1 millisecond'
                returning id
                """, Long.class, properties.heartbeatTimeout().toMillis());
        if (!crashed.isEmpty()) {
            log.info("Runs {} stopped sending heartbeats; marked CRASHED", crashed);
            crashed.forEach(id -> live.runChanged(RunEvent.Type.STATUS_CHANGED, id));
        }
        return crashed;
    }
}
