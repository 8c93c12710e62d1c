package dev.trackstack.web;

import java.time.Duration;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.CacheControl;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;
import tools.jackson.databind.json.JsonMapper;

/** What the GraphQL endpoint's HTTP and WebSocket transports accept, and how the dashboard's files are served. */
@Configuration(proxyBeanMethods = false)
class WebConfiguration {

    @Bean
    GraphQlRequestBody graphQlRequestBody(JsonMapper json) {
        return new GraphQlRequestBody(new JacksonJsonHttpMessageConverter(json));
    }

    @Bean
    FilterRegistrationBean<RequestBodyLimit> requestBodyLimit(TrackstackProperties properties,
            @Value("${spring.graphql.http.path:/graphql}") String path,
            @Value("${trackstack.traintrack.prefix:/traintrack}") String trainTrackPrefix) {
        FilterRegistrationBean<RequestBodyLimit> registration =
                new FilterRegistrationBean<>(new RequestBodyLimit(properties.limits().requestBytes()));
        // GraphQL and TrainTrack's API (dev.trackstack.traintrack); artifact uploads stream, with limits of their own.
        registration.addUrlPatterns(path, trainTrackPrefix + "/*");
        return registration;
    }

    /**
     * The dashboard's scripts and styles are named by their content (/assets/index-&lt;hash&gt;.js): a browser keeps
     * them a year without asking again. The pages that name them (index.html; application.properties) are checked
     * at each load, so that an upgraded server's dashboard is the one shown.
     */
    @Bean
    WebMvcConfigurer fingerprintedAssets() {
        return new WebMvcConfigurer() {
            @Override
            public void addResourceHandlers(ResourceHandlerRegistry registry) {
                registry.addResourceHandler("/assets/**").addResourceLocations("classpath:/static/assets/")
                        .setCacheControl(CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable());
            }
        };
    }

    /** Tomcat closes a connection whose message is longer with status 1009 (message too big). */
    @Bean
    ServletServerContainerFactoryBean webSocketContainer(TrackstackProperties properties) {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        container.setMaxTextMessageBufferSize(properties.limits().websocketMessageChars());
        return container;
    }
}
