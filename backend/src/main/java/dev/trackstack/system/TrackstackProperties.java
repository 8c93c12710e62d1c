package dev.trackstack.system;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings under {@code trackstack.*}; every limit here is documented in README.md.
 *
 * @param dataDir where the embedded PostgreSQL keeps its data (ignored when a datasource URL is set)
 * @param limits  explicit input limits, each answered with LIMIT_EXCEEDED when crossed
 * @param heartbeatTimeout       a RUNNING run silent for longer (after a first heartbeat) becomes CRASHED
 * @param heartbeatCheckInterval how often that is checked
 */
@ConfigurationProperties("trackstack")
public record TrackstackProperties(
        @DefaultValue("${user.home}/.trackstack/data") Path dataDir,
        @DefaultValue Limits limits,
        @DefaultValue("2m") Duration heartbeatTimeout,
        @DefaultValue("15s") Duration heartbeatCheckInterval) {

    /**
     * @param pointsPerBatch      points in one logMetrics call
     * @param maxPoints           the largest maxPoints a series query may ask for
     * @param seriesRunIds        runIds in one series query
     * @param nameLength          characters in a project, model, run, metric, split or tag name
     * @param notesLength         characters in run notes
     * @param tagsPerRun          tags on one run
     * @param hyperparameterBytes size of a run's hyperparameters as JSON
     * @param pageSize            runs in one page of the runs connection
     * @param queryDepth          nesting depth of a GraphQL document
     * @param queryComplexity     fields in a GraphQL document, counted by graphql-java
     * @param subscriberBuffer    events buffered for one subscriber before it starts missing some
     * @param websocketConnections open WebSocket connections
     */
    public record Limits(
            @DefaultValue("10000") int pointsPerBatch,
            @DefaultValue("10000") int maxPoints,
            @DefaultValue("100") int seriesRunIds,
            @DefaultValue("256") int nameLength,
            @DefaultValue("65536") int notesLength,
            @DefaultValue("64") int tagsPerRun,
            @DefaultValue("65536") int hyperparameterBytes,
            @DefaultValue("500") int pageSize,
            @DefaultValue("15") int queryDepth,
            @DefaultValue("1000") int queryComplexity,
            @DefaultValue("256") int subscriberBuffer,
            @DefaultValue("1000") int websocketConnections) {
    }
}
