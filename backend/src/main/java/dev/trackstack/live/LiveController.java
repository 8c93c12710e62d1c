package dev.trackstack.live;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import dev.trackstack.run.Run;
import dev.trackstack.run.RunRepository;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.Ids;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.graphql.data.method.annotation.SubscriptionMapping;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;

@Controller
class LiveController {

    private final LiveHub hub;
    private final RunRepository runs;
    private final TrackstackProperties.Limits limits;

    LiveController(LiveHub hub, RunRepository runs, TrackstackProperties properties) {
        this.hub = hub;
        this.runs = runs;
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

    @SchemaMapping(typeName = "RunEvent")
    Run run(RunEvent event) {
        return event.type() == RunEvent.Type.DELETED ? null : runs.findById(event.runId()).orElse(null);
    }
}
