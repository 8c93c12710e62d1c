package dev.trackstack;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class TrackstackApplication {

    public static void main(String[] args) {
        SpringApplication.run(TrackstackApplication.class, args);
    }
}
