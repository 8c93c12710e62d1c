package dev.trackstack.traintrack;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * With {@code trackstack.traintrack.enabled=false}, TrainTrack's paths answer 404 as unknown paths do. Decided at run
 * time, not by a condition on the controller: the jar's bean definitions are fixed when it is built (Spring AOT).
 */
@Configuration(proxyBeanMethods = false)
class TrainTrackSwitch implements WebMvcConfigurer {

    private final boolean enabled;
    private final String prefix;

    TrainTrackSwitch(@Value("${trackstack.traintrack.enabled:true}") boolean enabled,
            @Value("${trackstack.traintrack.prefix:/traintrack}") String prefix) {
        this.enabled = enabled;
        this.prefix = prefix;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        if (!enabled) {
            registry.addInterceptor(new HandlerInterceptor() {
                @Override
                public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
                        throws IOException {
                    response.sendError(HttpStatus.NOT_FOUND.value());
                    return false;
                }
            }).addPathPatterns(prefix, prefix + "/**");
        }
    }
}
