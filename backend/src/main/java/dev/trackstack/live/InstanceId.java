package dev.trackstack.live;

import java.util.UUID;

import org.springframework.stereotype.Component;

/** Tells this instance's own notifications apart from other instances'. */
@Component
class InstanceId {

    private final String value = UUID.randomUUID().toString();

    String value() {
        return value;
    }
}
