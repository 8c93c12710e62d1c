package dev.trackstack.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import dev.trackstack.system.ErrorCode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * A path that nothing serves answers 404 without Spring's "Whitelabel Error Page": under the API's prefixes the
 * JSON error of the rest of the API (code NOT_FOUND), elsewhere the dashboard's page, which shows its own "Not
 * found" for the path.
 */
@Component
class UnknownPaths implements HandlerExceptionResolver, Ordered {

    private static final List<String> API_PREFIXES = List.of("/api/", "/graphql", "/actuator/", "/v1/");

    private final Resource dashboard = new ClassPathResource("static/index.html");

    @Override
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
            Exception ex) {
        if (!(ex instanceof NoResourceFoundException || ex instanceof NoHandlerFoundException)) {
            return null;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        try {
            // (a server built without the dashboard has no page to show)
            if (API_PREFIXES.stream().anyMatch(path::startsWith) || !dashboard.exists()) {
                JsonErrorResponse.write(response, HttpStatus.NOT_FOUND, ErrorCode.NOT_FOUND, "Nothing at " + path);
            } else {
                response.setStatus(HttpStatus.NOT_FOUND.value());
                response.setContentType(MediaType.TEXT_HTML_VALUE + ";charset=UTF-8");
                try (var page = dashboard.getInputStream()) {
                    page.transferTo(response.getOutputStream());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ModelAndView();
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
