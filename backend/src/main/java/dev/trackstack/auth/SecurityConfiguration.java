package dev.trackstack.auth;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

import dev.trackstack.system.ErrorCode;
import dev.trackstack.system.TrackstackProperties;
import dev.trackstack.web.JsonErrorResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.authentication.AuthenticationEntryPointFailureHandler;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/**
 * The HTTP edge. With tokens required (see {@link #tokensRequired}), {@code /graphql} needs
 * {@code Authorization: Bearer <token>} and answers 401 with a GraphQL-shaped UNAUTHENTICATED error without
 * one; the WebSocket handshake is let through because the socket authenticates in connection_init
 * ({@link WebSocketAuthentication}); actuator's health stays open for health checks, its Prometheus scrape takes the
 * admin token or the metrics token (which counts nowhere else), and its other endpoints need the admin token; a
 * valid token refused there gets 403 FORBIDDEN; the dashboard and GraphiQL are static pages that hold no data.
 * What a valid token may do is AccessGuard's business. Cross-origin calls are refused unless their origin is
 * listed, and the pages get security headers. OTLP ingestion ({@code /v1/}), artifact transfers ({@code /api/v1/})
 * and TrainTrack's API (under {@code trackstack.traintrack.prefix}) need a token as {@code /graphql} does, except a
 * signed download link.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    /** The dashboard loads only its own files; ECharts draws on a canvas, the tables style a few elements inline. */
    private static final String DASHBOARD_POLICY = "default-src 'self'; script-src 'self'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
            + "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /**
     * GraphiQL's page, bundled by the webapp too: the dashboard's policy, and fonts from data: URLs, as which
     * GraphiQL's stylesheet carries its fonts. Its editor (monaco) needs nothing more: its workers are files of
     * our own and its inline styles are already allowed.
     */
    private static final String GRAPHIQL_POLICY = DASHBOARD_POLICY + "; font-src 'self' data:";

    private static final RequestMatcher PROMETHEUS = PathPatternRequestMatcher.pathPattern("/actuator/prometheus");

    private static final RequestMatcher GRAPHIQL = new OrRequestMatcher(
            PathPatternRequestMatcher.pathPattern("/graphiql"), PathPatternRequestMatcher.pathPattern("/graphiql.html"));

    private final boolean tokensRequired;
    private final String webSocketPath;
    private final String trainTrackPrefix;

    SecurityConfiguration(TrackstackProperties properties, @Value("${server.address:}") String address,
            @Value("${spring.graphql.websocket.path:/graphql}") String webSocketPath,
            @Value("${trackstack.traintrack.prefix:/traintrack}") String trainTrackPrefix) {
        TrackstackProperties.AuthMode mode = properties.auth().mode();
        this.tokensRequired = tokensRequired(mode, address);
        this.webSocketPath = webSocketPath;
        this.trainTrackPrefix = trainTrackPrefix;
        if (tokensRequired) {
            log.info("API tokens are required (trackstack.auth.mode={}, server.address={})", mode, address);
        } else if (mode == TrackstackProperties.AuthMode.OFF && !isLoopback(address)) {
            log.warn("trackstack.auth.mode=OFF while listening on '{}': whoever reaches this server can read and "
                    + "change everything. Put something in front of it that authenticates.", address);
        }
    }

    /** AUTO requires tokens unless the server listens on a loopback address only (an empty address is all). */
    static boolean tokensRequired(TrackstackProperties.AuthMode mode, String address) {
        return switch (mode) {
            case REQUIRED -> true;
            case OFF -> false;
            case AUTO -> !isLoopback(address);
        };
    }

    private static boolean isLoopback(String address) {
        try {
            return address != null && !address.isBlank() && InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Before everything else, so that a refused host reaches neither the API nor the WebSocket handshake. */
    @Bean
    FilterRegistrationBean<HostCheck> hostCheck(TrackstackProperties properties,
            @Value("${server.address:}") String address) {
        FilterRegistrationBean<HostCheck> registration =
                new FilterRegistrationBean<>(HostCheck.of(properties.allowedHosts(), address, tokensRequired));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    @Bean
    AuthenticationManager apiTokenAuthentication(ApiTokens tokens) {
        return presented -> tokens.caller((String) presented.getCredentials()).map(TokenAuthentication::of)
                .orElseThrow(() -> new BadCredentialsException("Invalid or revoked API token"));
    }

    @Bean
    WebSocketAuthentication webSocketAuthentication(AuthenticationManager tokens, ApiTokens apiTokens,
            TokenRevocations revocations) {
        if (tokensRequired && !apiTokens.hasAdminToken()) {
            log.warn("No admin token is set (TRACKSTACK_ADMIN_TOKEN): API tokens can be neither made nor revoked");
        }
        return new WebSocketAuthentication(tokensRequired, tokens, revocations);
    }

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, AuthenticationManager tokens, ApiTokens apiTokens)
            throws Exception {
        AuthenticationEntryPoint unauthenticated = unauthenticated();
        // No cookies or sessions: a request authenticates with its header, so there is nothing to forge.
        http.csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .logout(AbstractHttpConfigurer::disable)
                .cors(cors -> { })
                .exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(unauthenticated)
                        .accessDeniedHandler(SecurityConfiguration::forbidden))
                .headers(headers -> headers
                        // The dashboard's files stay cacheable; API answers are POSTs, which caches do not keep.
                        .cacheControl(cache -> cache.disable())
                        .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.NO_REFERRER))
                        .addHeaderWriter((request, response) -> response.setHeader("Content-Security-Policy",
                                GRAPHIQL.matches(request) ? GRAPHIQL_POLICY : DASHBOARD_POLICY)));
        if (!tokensRequired) {
            return http.anonymous(anonymous -> anonymous.principal(Caller.ANYBODY))
                    .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                    .build();
        }
        AuthenticationFilter bearer = bearer(tokens, unauthenticated);
        bearer.setRequestMatcher(new NegatedRequestMatcher(PROMETHEUS));
        AuthenticationFilter scrape = bearer(presented -> apiTokens.scraper((String) presented.getCredentials())
                .map(TokenAuthentication::of)
                .orElseThrow(() -> new BadCredentialsException("Invalid or revoked API token")), unauthenticated);
        scrape.setRequestMatcher(PROMETHEUS);
        return http.addFilterBefore(bearer, AnonymousAuthenticationFilter.class)
                .addFilterBefore(scrape, AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                        .requestMatchers(PROMETHEUS).hasAnyRole("ADMIN", "METRICS")
                        .requestMatchers("/actuator/**").hasRole("ADMIN")
                        .requestMatchers(this::isWebSocketHandshake).permitAll()
                        .requestMatchers("/graphql/**").authenticated()
                        // OTLP/HTTP (dev.trackstack.trace): exporters send the token as the API's clients do.
                        .requestMatchers("/v1/**").authenticated()
                        // Artifact transfers (dev.trackstack.artifact), but for signed download links, which carry
                        // their own proof (checked by the controller) so that a browser link needs no token.
                        .requestMatchers(SecurityConfiguration::isSignedBlobLink).permitAll()
                        .requestMatchers("/api/v1/**").authenticated()
                        // TrainTrack's REST API (dev.trackstack.traintrack), under its prefix.
                        .requestMatchers(trainTrackPrefix + "/**").authenticated()
                        .anyRequest().permitAll())
                .build();
    }

    /** Authenticates a request by its Authorization header, if it has one, with these tokens. */
    private static AuthenticationFilter bearer(AuthenticationManager tokens, AuthenticationEntryPoint unauthenticated) {
        AuthenticationFilter bearer = new AuthenticationFilter(tokens, request -> {
            String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
            return authorization == null ? null : TokenAuthentication.presented(authorization);
        });
        bearer.setSuccessHandler((request, response, authentication) -> {
            // carry on to the API: the default handler would redirect like a login form
        });
        bearer.setFailureHandler(new AuthenticationEntryPointFailureHandler(unauthenticated));
        return bearer;
    }

    @Bean
    CorsConfigurationSource corsConfigurationSource(TrackstackProperties properties) {
        CorsConfiguration cors = new CorsConfiguration();
        cors.setAllowedOrigins(properties.cors().allowedOrigins());
        // HEAD, PATCH and DELETE: resumable artifact uploads and TrainTrack's REST API.
        cors.setAllowedMethods(List.of("GET", "HEAD", "POST", "PATCH", "DELETE"));
        // Content-Encoding and the project header: what a web page's OTLP exporter sends to /v1/traces; Upload-Offset
        // and Range: artifact transfers.
        cors.setAllowedHeaders(List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE, HttpHeaders.ACCEPT,
                HttpHeaders.CONTENT_ENCODING, "X-Trackstack-Project", "Upload-Offset", HttpHeaders.RANGE));
        cors.setExposedHeaders(List.of("Upload-Offset", "Upload-Complete", HttpHeaders.ETAG,
                HttpHeaders.CONTENT_RANGE));
        cors.setMaxAge(Duration.ofHours(1));
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/**", cors);
        return source;
    }

    private static final RequestMatcher BLOB = PathPatternRequestMatcher.pathPattern("/api/v1/projects/*/blobs/*");

    private static boolean isSignedBlobLink(HttpServletRequest request) {
        return ("GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod()))
                && request.getParameter("signature") != null && BLOB.matches(request);
    }

    /** Only a GET of the WebSocket path can be a handshake: any other request with the header is an ordinary one. */
    private boolean isWebSocketHandshake(HttpServletRequest request) {
        return "GET".equals(request.getMethod()) && webSocketPath.equals(request.getRequestURI())
                && "websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE));
    }

    /** A valid token that may not call this (an actuator endpoint): 403 with a code, as the API answers. */
    private static void forbidden(HttpServletRequest request, HttpServletResponse response,
            AccessDeniedException denied) throws IOException {
        JsonErrorResponse.write(response, HttpStatus.FORBIDDEN, ErrorCode.FORBIDDEN, PROMETHEUS.matches(request)
                ? "The Prometheus scrape needs the admin token or the metrics token (TRACKSTACK_METRICS_TOKEN)"
                : "This actuator endpoint needs the admin token");
    }

    /** 401 with WWW-Authenticate, and a body shaped like a GraphQL response so that clients read one format. */
    private static AuthenticationEntryPoint unauthenticated() {
        return (request, response, failure) -> {
            String message = failure instanceof BadCredentialsException ? failure.getMessage()
                    : "This server needs an API token: send 'Authorization: Bearer <token>'";
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            JsonErrorResponse.write(response, HttpStatus.UNAUTHORIZED, ErrorCode.UNAUTHENTICATED, message);
        };
    }
}
