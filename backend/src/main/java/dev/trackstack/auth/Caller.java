package dev.trackstack.auth;

import java.util.Set;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Whom a request acts for: the admin, an API token, or anybody when tokens are not required. Spring Security
 * holds it as the principal, for HTTP requests and for the subscriptions of a WebSocket alike.
 *
 * @param tokenId  the API token it is, whose revocation ends its WebSockets' access; null for the admin and anybody
 * @param admin    may manage API tokens
 * @param write    may mutate
 * @param maintain may move protected prompt labels and set which labels are protected
 * @param projects the names of the projects it may see and change; null for every project
 */
public record Caller(String name, Long tokenId, boolean admin, boolean write, boolean maintain,
        Set<String> projects) {

    static final Caller ADMIN = new Caller("admin", null, true, true, true, null);

    /** The metrics token's: SecurityConfiguration takes it on /actuator/prometheus only, where it may scrape. */
    static final Caller SCRAPER = new Caller("metrics", null, false, false, false, Set.of());

    /** When tokens are not required, every request may do everything. */
    static final Caller ANYBODY = new Caller("anybody", null, true, true, true, null);

    /**
     * The caller of the request being served. There is always one: requests without a valid token are turned
     * away before they get here when tokens are required, so a missing caller is refused rather than trusted.
     */
    public static Caller current() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication != null && authentication.getPrincipal() instanceof Caller caller) {
            return caller;
        }
        throw new ApiException(ErrorCode.UNAUTHENTICATED, "This server needs an API token");
    }

    public boolean sees(String project) {
        return projects == null || projects.contains(project);
    }
}
