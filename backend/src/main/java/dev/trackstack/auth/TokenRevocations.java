package dev.trackstack.auth;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The revoked API tokens, for the WebSockets that authenticated with one: a socket outlives the check made when it
 * opened, so each of its operations is checked again here, and its open subscriptions end when its token is revoked.
 * Kept in memory, so that the check costs nothing: a revocation made on this instance takes effect at once, one made
 * on another instance sharing the database within {@link #CHECK_INTERVAL}, when the list is read again.
 */
@Component
class TokenRevocations implements SchedulingConfigurer {

    static final Duration CHECK_INTERVAL = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(TokenRevocations.class);

    private final JdbcTemplate jdbc;
    private final Set<Long> revoked = ConcurrentHashMap.newKeySet();
    private final Sinks.Many<Long> revocations = Sinks.many().multicast().directBestEffort();

    TokenRevocations(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A token revoked on this instance, once the revocation is committed. */
    record Revoked(long tokenId) {
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(this::readRevoked, CHECK_INTERVAL);
    }

    private void readRevoked() {
        try {
            jdbc.queryForList("select id from api_token where revoked_at is not null", Long.class)
                    .forEach(this::revoke);
        } catch (DataAccessException e) {
            log.debug("Revoked tokens not read this time: {}", e.toString());  // the database is away; next time
        }
    }

    @TransactionalEventListener
    void revoked(Revoked event) {
        revoke(event.tokenId());
    }

    /** Synchronized: the sink takes one emission at a time. */
    private synchronized void revoke(long tokenId) {
        if (revoked.add(tokenId)) {
            revocations.tryEmitNext(tokenId);
        }
    }

    boolean isRevoked(Caller caller) {
        return caller.tokenId() != null && revoked.contains(caller.tokenId());
    }

    /** Completes when the caller's token is revoked, at once if it is already; never for the admin or anybody. */
    Mono<Void> revocation(Caller caller) {
        if (caller.tokenId() == null) {
            return Mono.never();
        }
        long tokenId = caller.tokenId();
        // The stream is subscribed to before the set is looked at, so that no revocation falls between the two.
        return Flux.merge(revocations.asFlux().filter(id -> id == tokenId),
                Mono.just(tokenId).filter(revoked::contains)).next().then();
    }
}
