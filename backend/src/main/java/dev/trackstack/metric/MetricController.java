package dev.trackstack.metric;

import java.util.List;
import java.util.Map;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.Ids;
import dev.trackstack.system.TrackstackProperties;
import graphql.schema.DataFetchingEnvironment;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

@Controller
class MetricController {

    private static final int DEFAULT_MAX_POINTS = 1000;

    private final MetricIngest ingest;
    private final MetricRewind rewind;
    private final SeriesQuery seriesQuery;
    private final TrackstackProperties.Limits limits;

    MetricController(MetricIngest ingest, MetricRewind rewind, SeriesQuery seriesQuery,
            TrackstackProperties properties) {
        this.ingest = ingest;
        this.rewind = rewind;
        this.seriesQuery = seriesQuery;
        this.limits = properties.limits();
    }

    /**
     * The points are taken as graphql-java coerced them rather than through {@code @Argument}: Spring's reflective
     * binding of a 1,000-point list cost about a quarter of the server's CPU for the call.
     */
    @MutationMapping
    LogResult logMetrics(@Argument String runId, DataFetchingEnvironment environment, @Argument String batchId) {
        List<Map<String, Object>> points = environment.getArgument("points");
        return ingest.log(Ids.parse(runId, "run"), points.stream().map(MetricPointInput::of).toList(), batchId);
    }

    @MutationMapping
    long rewindRun(@Argument String runId, @Argument long toStep) {
        return rewind.rewind(Ids.parse(runId, "run"), toStep);
    }

    @QueryMapping
    List<Series> series(@Argument List<String> runIds, @Argument List<String> names, @Argument List<String> splits,
            @Argument Integer maxPoints, @Argument Long fromStep, @Argument Long toStep) {
        if (runIds.size() > limits.seriesRunIds()) {
            throw ApiException.limit(runIds.size() + " runIds", limits.seriesRunIds());
        }
        int max = maxPoints == null ? DEFAULT_MAX_POINTS : maxPoints;
        if (max < 1 || max > limits.maxPoints()) {
            throw ApiException.limit("maxPoints = " + max + " (it must also be >= 1)", limits.maxPoints());
        }
        long from = fromStep == null ? 0 : fromStep;
        long to = toStep == null ? Long.MAX_VALUE : toStep;
        if (from > to) {
            throw ApiException.badInput("fromStep " + from + " is after toStep " + to);
        }
        return seriesQuery.find(Ids.parseAll(runIds), names, splits, max, from, to);
    }
}
