package dev.trackstack.auth;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.Sha256;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Makes, revokes and checks API tokens. A secret is 256 random bits; only its SHA-256 hash is stored, so a
 * leaked database holds no usable token. Presented secrets are looked up by their hash: timing can tell an
 * attacker at most something about the hashes of its own guesses, never about a stored secret.
 */
@Service
public class ApiTokens {

    /** Marks a secret as ours, for people and for secret scanners. */
    private static final String PREFIX = "tst_";
    private static final int CONFIGURED_TOKEN_MIN_LENGTH = 32;

    private final SecureRandom random = new SecureRandom();
    private final ApiTokenRepository tokens;
    private final ApplicationEventPublisher events;
    private final TrackstackProperties.Limits limits;
    private final byte[] adminTokenHash;
    private final byte[] metricsTokenHash;

    ApiTokens(ApiTokenRepository tokens, ApplicationEventPublisher events, TrackstackProperties properties) {
        this.tokens = tokens;
        this.events = events;
        this.limits = properties.limits();
        this.adminTokenHash = configuredHash(properties.auth().adminToken(),
                "trackstack.auth.admin-token (TRACKSTACK_ADMIN_TOKEN)");
        this.metricsTokenHash = configuredHash(properties.auth().metricsToken(),
                "trackstack.auth.metrics-token (TRACKSTACK_METRICS_TOKEN)");
    }

    /** The hash of a token given in the settings, null when unset; a short one stops the start. */
    private static byte[] configuredHash(String token, String setting) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        if (token.length() < CONFIGURED_TOKEN_MIN_LENGTH) {
            throw new IllegalStateException(setting + " must be at least " + CONFIGURED_TOKEN_MIN_LENGTH
                    + " characters; make one with: openssl rand -hex 32");
        }
        return Sha256.of(token);
    }

    boolean hasAdminToken() {
        return adminTokenHash != null;
    }

    /** Whom the secret stands for: the admin, an API token that is not revoked, or nobody. */
    @Transactional(readOnly = true)
    public Optional<Caller> caller(String secret) {
        byte[] hash = Sha256.of(secret);
        // Comparing hashes takes the same time whatever the secret's length or content.
        if (adminTokenHash != null && MessageDigest.isEqual(adminTokenHash, hash)) {
            return Optional.of(Caller.ADMIN);
        }
        return tokens.findBySecretHashAndRevokedAtIsNull(hash).map(ApiToken::caller);
    }

    /** As {@link #caller}, and the metrics token, which counts on the scrape endpoint alone. */
    @Transactional(readOnly = true)
    public Optional<Caller> scraper(String secret) {
        if (metricsTokenHash != null && MessageDigest.isEqual(metricsTokenHash, Sha256.of(secret))) {
            return Optional.of(Caller.SCRAPER);
        }
        return caller(secret);
    }

    @Transactional
    ApiTokenCreated create(String name, ApiToken.Scope scope, List<String> projects) {
        checkName("name", name);
        if (projects != null) {
            if (projects.isEmpty()) {
                throw ApiException.badInput("projects must name at least one project; leave it out for every project");
            }
            projects.forEach(project -> checkName("project", project));
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        ApiToken token = tokens.save(new ApiToken(name, scope, projects == null ? null : List.copyOf(projects),
                Sha256.of(secret)));
        return new ApiTokenCreated(token, secret);
    }

    @Transactional
    ApiToken revoke(long id) {
        ApiToken token = tokens.findById(id).orElseThrow(() -> ApiException.notFound("API token", id));
        token.revoke();
        events.publishEvent(new TokenRevocations.Revoked(id));
        return token;
    }

    @Transactional(readOnly = true)
    List<ApiToken> all() {
        return tokens.findAll(Sort.by(Sort.Direction.DESC, "id"));
    }

    private void checkName(String what, String value) {
        if (value.isBlank() || value.length() > limits.nameLength()) {
            throw ApiException.badInput(what + " must be 1 to " + limits.nameLength() + " characters");
        }
    }

    record ApiTokenCreated(ApiToken token, String secret) {
    }
}
