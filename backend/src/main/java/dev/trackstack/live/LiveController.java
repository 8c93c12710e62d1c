package dev.trackstack.live;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.Ids;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.SubscriptionMapping;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;

@Controller
class LiveController {

    private final LiveHub hub;
    private final TrackstackProperties.Limits limits;

    LiveController(LiveHub hub, TrackstackProperties properties) {
        this.hub = hub;
        this.limits = properties.limits();
    }

    @SubscriptionMapping
    Flux<MetricPointBatch> metricPoints(@Argument List<String> runIds, @Argument List<String> names) {
        if (runIds.size() > limits.seriesRunIds()) {
            throw ApiException.limit(runIds.size() + " runIds", limits.seriesRunIds());
        }
        Set<Long> ids = Arrays.stream(Ids.parseAll(runIds)).boxed().collect(Collectors.toSet());
        return hub.metricPoints(ids, names == null ? null : Set.copyOf(names));
    }

    @SubscriptionMapping
    Flux<RunEvent> runEvents(@Argument String project) {
        return hub.runEvents(project);
    }
}
