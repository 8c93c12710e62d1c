package dev.trackstack.web;

import java.io.IOException;
import java.io.UncheckedIOException;

import dev.trackstack.system.ErrorCode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.function.HandlerFunction;

/**
 * A POST to the GraphQL endpoint whose body is not a GraphQL request (not JSON, no query, variables that are not
 * an object) gets 400 with a GraphQL-shaped error instead of Spring's generic error page.
 */
@Component
class MalformedRequests implements HandlerExceptionResolver, Ordered {

    @Override
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
            Exception ex) {
        // The GraphQL endpoints are the application's only functional (router) handlers.
        if (!(handler instanceof HandlerFunction<?>)
                || !(ex instanceof ServerWebInputException || ex instanceof HttpMessageNotReadableException)) {
            return null;
        }
        try {
            JsonErrorResponse.write(response, HttpStatus.BAD_REQUEST, ErrorCode.BAD_USER_INPUT,
                    "The body must be a JSON object with a \"query\" string, and optionally an \"operationName\" "
                            + "string and \"variables\" and \"extensions\" objects");
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
