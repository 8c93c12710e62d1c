package dev.trackstack.media;

import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.trackstack.artifact.ImageRenditions;
import dev.trackstack.live.LiveHub;
import dev.trackstack.run.Run;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.Ids;
import dev.trackstack.system.TrackstackProperties;
import graphql.GraphQLContext;
import graphql.schema.DataFetchingEnvironment;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.graphql.data.method.annotation.SubscriptionMapping;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;

@Controller
class MediaController {

    /** Steps of one mediaAtSteps. */
    static final int MAX_STEPS = 64;
    /** An image's preview at most (a panel's cell is a JPEG of a few kilobytes); larger ones are loaded by link. */
    static final int PREVIEW_MAX_BYTES = 32 << 10;
    /** The previews of one answer together at most; beyond, null. */
    static final long PREVIEW_BYTES_PER_ANSWER = 4L << 20;

    /** The key of an answer's preview bytes left, in its GraphQL context. */
    private record PreviewBytesLeft() {
    }

    private final MediaIngest ingest;
    private final MediaReads reads;
    private final LiveHub hub;
    private final MediaProperties media;
    private final ImageRenditions renditions;
    private final TrackstackProperties.Limits limits;

    MediaController(MediaIngest ingest, MediaReads reads, LiveHub hub, MediaProperties media,
            ImageRenditions renditions, TrackstackProperties properties) {
        this.ingest = ingest;
        this.reads = reads;
        this.hub = hub;
        this.renditions = renditions;
        this.media = media;
        this.limits = properties.limits();
    }

    /** The items as graphql-java coerced them: Spring's binding would copy every image's text once more. */
    @MutationMapping
    MediaIngest.Logged logMedia(@Argument String runId, @Argument String batchId, DataFetchingEnvironment environment) {
        List<Map<String, Object>> items = environment.getArgument("items");
        return ingest.log(Ids.parse(runId, "run"), items, batchId);
    }

    @QueryMapping
    List<MediaItem> mediaAt(@Argument List<String> runIds, @Argument String name, @Argument long step,
            @Argument Boolean exact, @Argument Integer first) {
        return at(runIds, name, List.of(step), exact, first).get(step);
    }

    /** The items at a step of {@link #mediaAtSteps}. */
    record MediaAtStep(long step, List<MediaItem> items) {
    }

    @QueryMapping
    List<MediaAtStep> mediaAtSteps(@Argument List<String> runIds, @Argument String name, @Argument List<Long> steps,
            @Argument Boolean exact, @Argument Integer first) {
        if (steps.size() > MAX_STEPS) {
            throw ApiException.limit(steps.size() + " steps", MAX_STEPS);
        }
        return at(runIds, name, steps, exact, first).entrySet().stream()
                .map(at -> new MediaAtStep(at.getKey(), at.getValue())).toList();
    }

    private Map<Long, List<MediaItem>> at(List<String> runIds, String name, List<Long> steps, Boolean exact,
            Integer first) {
        checkRunIds(runIds);
        int perRun = first == null ? 16 : first;
        if (perRun < 1) {
            throw ApiException.badInput("first must be at least 1");
        }
        // No step holds more than items-per-step items: asking for more is asking for all.
        return reads.at(Ids.parseAll(runIds), name, steps.stream().mapToLong(Long::longValue).toArray(),
                Boolean.TRUE.equals(exact), Math.min(perRun, media.itemsPerStep()));
    }

    /**
     * The image as a box {@code width} pixels wide loads it, as a data URL, so that a panel of many small images gets
     * them with the items rather than by a request each: null unless it is ready, small, and within the answer's
     * budget.
     */
    @SchemaMapping(typeName = "Image")
    String preview(MediaItem.Image image, @Argument int width, GraphQLContext context) {
        if (width < 1) {
            throw ApiException.badInput("width must be at least 1");
        }
        Optional<byte[]> ready;
        try {
            ready = renditions.ready(image.sha256(), image.bytes(), image.width(), width, PREVIEW_MAX_BYTES);
        } catch (IOException e) {
            return null;  // gone, or unreadable: loading its link tells why
        }
        AtomicLong left = context.computeIfAbsent(PreviewBytesLeft.class,
                key -> new AtomicLong(PREVIEW_BYTES_PER_ANSWER));
        if (ready.isEmpty() || left.addAndGet(-ready.get().length) < 0) {
            return null;
        }
        byte[] bytes = ready.get();
        String type = (bytes[0] & 0xff) == 0x89 ? "png" : (bytes[0] & 0xff) == 0xff ? "jpeg"
                : image.format().toLowerCase(Locale.ROOT);
        return "data:image/" + type + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    @QueryMapping
    List<MediaItem.HistogramAtStep> histograms(@Argument String runId, @Argument String name,
            @Argument Integer maxSteps) {
        int max = maxSteps == null ? 500 : maxSteps;
        if (max < 1 || max > limits.maxPoints()) {
            throw ApiException.limit("maxSteps = " + max + " (it must also be >= 1)", limits.maxPoints());
        }
        return reads.histograms(Ids.parse(runId, "run"), name, max);
    }

    @BatchMapping(typeName = "Run")
    Map<Run, List<MediaItem.Series>> media(List<Run> runs) {
        Map<Long, List<MediaItem.Series>> byRun = reads.series(runs.stream().map(Run::getId).toList());
        return runs.stream().collect(Collectors.toMap(Function.identity(),
                run -> byRun.getOrDefault(run.getId(), List.of())));
    }

    @SubscriptionMapping
    Flux<MediaItem.Event> mediaItems(@Argument List<String> runIds, @Argument List<String> names) {
        checkRunIds(runIds);
        Set<Long> ids = Arrays.stream(Ids.parseAll(runIds)).boxed().collect(Collectors.toSet());
        return hub.mediaStored(ids, names == null ? null : Set.copyOf(names)).flatMapIterable(stored ->
                stored.items().stream().map(item -> new MediaItem.Event(stored.runId(), item.name(), item.step(),
                        MediaKind.valueOf(item.kind()))).toList());
    }

    private void checkRunIds(List<String> runIds) {
        if (runIds.size() > limits.seriesRunIds()) {
            throw ApiException.limit(runIds.size() + " runIds", limits.seriesRunIds());
        }
    }
}
