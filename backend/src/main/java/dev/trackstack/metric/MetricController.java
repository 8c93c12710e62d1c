package dev.trackstack.metric;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.trackstack.run.Run;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.Ids;
import dev.trackstack.system.TrackstackProperties;
import graphql.schema.DataFetchingEnvironment;
import org.dataloader.DataLoader;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.execution.BatchLoaderRegistry;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;

@Controller
class MetricController {

    private static final int DEFAULT_MAX_POINTS = 1000;
    private static final String SERIES_READS = "seriesReads";
    private final IngestSlots ingest;
    private final MetricRewind rewind;
    private final SeriesQuery seriesQuery;
    private final MetricSeriesRepository series;
    private final SeriesGroups groups;
    private final TrackstackProperties.Limits limits;

    MetricController(IngestSlots ingest, MetricRewind rewind, SeriesQuery seriesQuery, MetricSeriesRepository series,
            SeriesGroups groups, TrackstackProperties properties, BatchLoaderRegistry loaders) {
        this.ingest = ingest;
        this.rewind = rewind;
        this.seriesQuery = seriesQuery;
        this.series = series;
        this.groups = groups;
        this.limits = properties.limits();
        // graphql-java dispatches a request's data loaders once all its fields of a level were called: by then every
        // series field has reserved its points, and one refused spares the others their reads. The fields read in
        // turn, as when they read themselves; identical ones read once (the loader caches by key).
        loaders.<SeriesRead, List<Series>>forName(SERIES_READS).registerBatchLoader((reads, environment) ->
                Flux.fromIterable(reads).map(read -> {
                    read.reservation().requireGranted();
                    return seriesQuery.read(read.selection());
                }));
    }

    /**
     * The points are taken as graphql-java coerced them rather than through {@code @Argument}: Spring's reflective
     * binding of a 1,000-point list cost about a quarter of the server's CPU for the call.
     */
    @MutationMapping
    LogResult logMetrics(@Argument String runId, DataFetchingEnvironment environment, @Argument String batchId) {
        List<Map<String, Object>> points = environment.getArgument("points");
        List<Map<String, Object>> columns = environment.getArgument("columns");
        PointBatch batch;
        if (columns == null) {
            batch = PointBatch.ofPoints(points.stream().map(MetricPointInput::of).toList(), limits);
        } else if (points.isEmpty()) {
            batch = PointBatch.ofColumns(columns, limits);
        } else {
            throw ApiException.badInput("Give points or columns, not both");
        }
        return ingest.log(Ids.parse(runId, "run"), batch, batchId);
    }

    @MutationMapping
    long rewindRun(@Argument String runId, @Argument long toStep) {
        return rewind.rewind(Ids.parse(runId, "run"), toStep);
    }

    /** Looks up the series and reserves their points; the points are read once every series field has reserved. */
    @QueryMapping
    CompletableFuture<List<Series>> series(@Argument List<String> runIds, @Argument List<String> names,
            @Argument List<String> splits, @Argument Integer maxPoints, @Argument Long fromStep,
            @Argument Long toStep, DataFetchingEnvironment environment) {
        return read(runIds, names, splits, maxPoints, fromStep, toStep, environment);
    }

    /** The series read as {@link #series} reads them, then folded into their groups. */
    @QueryMapping
    CompletableFuture<List<SeriesGroups.SeriesGroup>> seriesGroups(@Argument List<String> runIds,
            @Argument SeriesGroups.GroupBy by, @Argument String name, @Argument String split,
            @Argument Integer maxPoints, @Argument Long fromStep, @Argument Long toStep,
            DataFetchingEnvironment environment) {
        groups.check(by);
        return read(runIds, List.of(name), Collections.singletonList(split), maxPoints, fromStep, toStep, environment)
                .thenApply(series -> groups.group(Ids.parseAll(runIds), by, series, maxPoints(maxPoints)));
    }

    private CompletableFuture<List<Series>> read(List<String> runIds, List<String> names, List<String> splits,
            Integer maxPoints, Long fromStep, Long toStep, DataFetchingEnvironment environment) {
        if (runIds.size() > limits.seriesRunIds()) {
            throw ApiException.limit(runIds.size() + " runIds", limits.seriesRunIds());
        }
        int max = maxPoints(maxPoints);
        if (max < 1 || max > limits.maxPoints()) {
            throw ApiException.limit("maxPoints = " + max + " (it must also be >= 1)", limits.maxPoints());
        }
        long from = fromStep == null ? 0 : fromStep;
        long to = toStep == null ? Long.MAX_VALUE : toStep;
        if (from > to) {
            throw ApiException.badInput("fromStep " + from + " is after toStep " + to);
        }
        ReadBudget.Reservation reservation = ReadBudget.of(environment.getGraphQlContext());
        SeriesQuery.Selection selection = seriesQuery.select(Ids.parseAll(runIds), names, splits, max, from, to,
                reservation::reserve);
        DataLoader<SeriesRead, List<Series>> reads = environment.getDataLoader(SERIES_READS);
        return reads.load(new SeriesRead(selection, reservation));
    }

    private static int maxPoints(Integer maxPoints) {
        return maxPoints == null ? DEFAULT_MAX_POINTS : maxPoints;
    }

    @BatchMapping(typeName = "Run")
    Map<Run, List<MetricSeries>> summaries(List<Run> batch) {
        Map<Long, List<MetricSeries>> byRun = series.findByRunIdInOrderByNameAscSplitAsc(
                batch.stream().map(Run::getId).toList()).stream()
                .collect(Collectors.groupingBy(MetricSeries::getRunId));
        return batch.stream().collect(Collectors.toMap(Function.identity(),
                r -> byRun.getOrDefault(r.getId(), List.of())));
    }

    /** A series field's read, deferred until all series fields of the request have reserved their points. */
    private record SeriesRead(SeriesQuery.Selection selection, ReadBudget.Reservation reservation) {
    }
}
