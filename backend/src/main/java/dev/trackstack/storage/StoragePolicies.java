package dev.trackstack.storage;

import dev.trackstack.system.TrackstackProperties;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Sets the points' compression and retention policies from the configuration at every start. */
@Component
class StoragePolicies {

    private final PointStore store;
    private final TrackstackProperties.StoragePolicies policies;

    StoragePolicies(PointStore store, TrackstackProperties properties) {
        this.store = store;
        this.policies = properties.storage();
    }

    @EventListener(ApplicationReadyEvent.class)
    void apply() {
        store.applyPolicies(policies);
    }
}
