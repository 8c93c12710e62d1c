package dev.trackstack.auth;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import dev.trackstack.system.ErrorCode;
import dev.trackstack.web.JsonErrorResponse;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses (403 FORBIDDEN) a request whose host name is not one the server answers to, against DNS rebinding: a page
 * of another site that points its own name at 127.0.0.1 is same-origin with the server in the browser, and could
 * call it. The name is the Host header's, or X-Forwarded-Host's from a trusted proxy (Tomcat puts that in the
 * server name). Checked where no API token is needed; with tokens only when {@code trackstack.allowed-hosts} is
 * set, since such a page has no token to send (tokens are never cookies).
 */
final class HostCheck extends OncePerRequestFilter {

    private static final List<String> LOOPBACK = List.of("localhost", "127.0.0.1", "::1");

    /** Lower case, IPv6 addresses without brackets; null allows every host. */
    private final Set<String> allowed;

    private HostCheck(Set<String> allowed) {
        this.allowed = allowed;
    }

    /**
     * @param configured {@code trackstack.allowed-hosts}
     * @param address    {@code server.address}, allowed unless it is a wildcard or empty (every interface)
     */
    static HostCheck of(List<String> configured, String address, boolean tokensRequired) {
        if (configured.contains("*") || configured.isEmpty() && tokensRequired) {
            return new HostCheck(null);
        }
        Set<String> allowed = new TreeSet<>(LOOPBACK);
        configured.forEach(host -> allowed.add(normalized(host)));
        if (address != null && !address.isBlank() && !address.equals("0.0.0.0") && !address.equals("::")) {
            allowed.add(normalized(address));
        }
        return new HostCheck(allowed);
    }

    private static String normalized(String host) {
        String name = host.trim().toLowerCase(Locale.ROOT);
        return name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String host = normalized(request.getServerName());
        if (allowed == null || allowed.contains(host)) {
            chain.doFilter(request, response);
            return;
        }
        JsonErrorResponse.write(response, HttpStatus.FORBIDDEN, ErrorCode.FORBIDDEN, "This server does not answer to "
                + "the host name '" + host + "' (a protection against DNS rebinding): to reach it under that name, "
                + "add the name to trackstack.allowed-hosts. It answers to " + String.join(", ", allowed));
    }
}
