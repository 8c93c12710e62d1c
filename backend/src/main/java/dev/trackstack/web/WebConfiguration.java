package dev.trackstack.web;

import dev.trackstack.system.TrackstackProperties;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;
import tools.jackson.databind.json.JsonMapper;

/** What the GraphQL endpoint's HTTP and WebSocket transports accept. */
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

    /** Tomcat closes a connection whose message is longer with status 1009 (message too big). */
    @Bean
    ServletServerContainerFactoryBean webSocketContainer(TrackstackProperties properties) {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        container.setMaxTextMessageBufferSize(properties.limits().websocketMessageChars());
        return container;
    }
}
