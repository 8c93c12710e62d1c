package dev.trackstack.auth;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.authority.AuthorityUtils;

/** An API token as Spring Security sees it: presented by a request and not checked yet, or standing for a caller. */
final class TokenAuthentication extends AbstractAuthenticationToken {

    private static final String BEARER = "Bearer ";

    private final String secret;
    private final Caller caller;

    private TokenAuthentication(String secret, Caller caller) {
        super(caller == null ? AuthorityUtils.NO_AUTHORITIES
                : caller.admin() ? AuthorityUtils.createAuthorityList("ROLE_ADMIN")
                : caller == Caller.SCRAPER ? AuthorityUtils.createAuthorityList("ROLE_METRICS")
                : AuthorityUtils.NO_AUTHORITIES);
        this.secret = secret;
        this.caller = caller;
        setAuthenticated(caller != null);
    }

    /** From the value of an Authorization header (or of the connection_init payload's "Authorization"). */
    static TokenAuthentication presented(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
                || authorization.substring(BEARER.length()).isBlank()) {
            throw new BadCredentialsException("Send the API token as 'Authorization: Bearer <token>'");
        }
        return new TokenAuthentication(authorization.substring(BEARER.length()).trim(), null);
    }

    static TokenAuthentication of(Caller caller) {
        return new TokenAuthentication(null, caller);
    }

    @Override
    public Object getCredentials() {
        return secret;
    }

    @Override
    public Object getPrincipal() {
        return caller;
    }
}
