package dev.trackstack.system;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings under {@code trackstack.*}; every limit here is documented in README.md.
 *
 * @param dataDir where the embedded PostgreSQL keeps its data (ignored when a datasource URL is set); the default,
 *                in application.properties, is under the home directory
 * @param limits  explicit input limits, each answered with LIMIT_EXCEEDED when crossed
 * @param heartbeatTimeout       a RUNNING run silent for longer (after a first heartbeat) becomes CRASHED
 * @param heartbeatCheckInterval how often that is checked
 * @param storage                policies for the points on TimescaleDB
 * @param auth                   who may use the API
 * @param cors                   which other web origins may call it from a browser
 * @param allowedHosts           host names (of the Host header, or X-Forwarded-Host from a trusted proxy) the server
 *                               answers to, besides the loopback names and server.address; "*" for any
 */
@ConfigurationProperties("trackstack")
public record TrackstackProperties(
        Path dataDir,
        @DefaultValue Limits limits,
        @DefaultValue("2m") Duration heartbeatTimeout,
        @DefaultValue("15s") Duration heartbeatCheckInterval,
        @DefaultValue StoragePolicies storage,
        @DefaultValue Auth auth,
        @DefaultValue Cors cors,
        @DefaultValue List<String> allowedHosts) {

    /**
     * @param compressAfter chunks of points older than this are compressed (TimescaleDB with community features)
     * @param rawRetention  raw points older than this are dropped, while the continuous aggregates keep their
     *                      levels; empty keeps them forever (TimescaleDB with community features only)
     */
    public record StoragePolicies(@DefaultValue("7d") Duration compressAfter, Duration rawRetention) {
    }

    /**
     * @param mode       whether requests need an API token
     * @param adminToken   the token that manages API tokens (and may do everything); unset: nobody can
     * @param metricsToken the token that may read /actuator/prometheus and nothing else; unset: only the admin token
     *                     may (where tokens are required)
     */
    public record Auth(@DefaultValue("auto") AuthMode mode, String adminToken, String metricsToken) {
    }

    public enum AuthMode {
        /** Tokens are required unless the server listens on a loopback address only. */
        AUTO,
        REQUIRED,
        /** Nothing is checked: for a server behind something else that authenticates. */
        OFF
    }

    /** @param allowedOrigins origins (scheme://host[:port]) whose pages may call the API; none by default */
    public record Cors(@DefaultValue List<String> allowedOrigins) {
    }

    /**
     * @param pointsPerBatch      points in one logMetrics call
     * @param maxPoints           the largest maxPoints a series query may ask for
     * @param seriesRunIds        runIds in one series query
     * @param nameLength          characters in a project, model, run, metric, split or tag name
     * @param notesLength         characters in run notes
     * @param tagsPerRun          tags on one run
     * @param hyperparameterBytes size of a run's hyperparameters as JSON
     * @param hyperparameterDepth nesting depth of a run's hyperparameters (the object itself is 1)
     * @param pageSize            runs in one page of the runs connection
     * @param queryDepth          nesting depth of a GraphQL document
     * @param queryComplexity     fields in a GraphQL document, counted by graphql-java
     * @param subscriberBuffer    events buffered for one subscriber before it starts missing some
     * @param websocketConnections open WebSocket connections
     * @param websocketMessageChars characters in one WebSocket message
     * @param requestBytes        bytes in the body of one POST to the GraphQL endpoint
     * @param pointsPerRequest    points that the series fields of one request may return together
     * @param pointsInFlight      points that the series reads under way may hold together, server-wide; 0 sizes it
     *                            from the heap
     * @param sortKeys            sort keys of one runs query
     * @param filters             parameter and metric filters of one runs query
     * @param evalItemsPerCall    items (or spans, or item ids) in one dataset change
     * @param evalResultsPerCall  results in one logEvalResults call
     * @param evalScoresPerCall   scores in one logScores call
     * @param evalJsonBytes       characters of an item's JSON (input, expected, metadata) or of a result's output
     * @param evalScoresPerResult scores given with one result
     * @param evalRepetitions     repetitions of an eval run
     */
    public record Limits(
            @DefaultValue("10000") int pointsPerBatch,
            @DefaultValue("10000") int maxPoints,
            @DefaultValue("100") int seriesRunIds,
            @DefaultValue("256") int nameLength,
            @DefaultValue("65536") int notesLength,
            @DefaultValue("64") int tagsPerRun,
            @DefaultValue("65536") int hyperparameterBytes,
            @DefaultValue("16") int hyperparameterDepth,
            @DefaultValue("500") int pageSize,
            @DefaultValue("15") int queryDepth,
            @DefaultValue("1000") int queryComplexity,
            @DefaultValue("256") int subscriberBuffer,
            @DefaultValue("0") int ingestTransactions,
            @DefaultValue("1000") int websocketConnections,
            @DefaultValue("8192") int websocketMessageChars,
            @DefaultValue("16777216") int requestBytes,
            @DefaultValue("1000000") int pointsPerRequest,
            @DefaultValue("0") int pointsInFlight,
            @DefaultValue("16") int sortKeys,
            @DefaultValue("64") int filters,
            @DefaultValue("1000") int evalItemsPerCall,
            @DefaultValue("1000") int evalResultsPerCall,
            @DefaultValue("10000") int evalScoresPerCall,
            @DefaultValue("1048576") int evalJsonBytes,
            @DefaultValue("64") int evalScoresPerResult,
            @DefaultValue("100") int evalRepetitions) {
    }
}
