package dev.trackstack.trace;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import com.google.protobuf.Message;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.trackstack.auth.Caller;
import dev.trackstack.system.TrackstackProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * OTLP/HTTP, as an OpenTelemetry exporter whose endpoint is this server sends it: {@code POST /v1/traces} (and
 * {@code /v1/metrics}, {@code /v1/logs}, which store nothing and say so), in binary protobuf or OTLP JSON,
 * optionally gzipped. Answers follow the OTLP specification: 200 with the export response (its partial_success
 * counting the spans rejected), or a google.rpc.Status with 400 (do not retry), 413, 415, or 429/503 (retry).
 */
@RestController
class OtlpController {

    private static final Logger log = LoggerFactory.getLogger(OtlpController.class);

    private static final String RETRY_SECONDS = "5";
    private static final Duration PERMIT_WAIT = Duration.ofSeconds(1);

    private final SpanStore store;
    private final TracingProperties limits;
    private final int nameLength;
    private final JsonMapper json;
    private final Semaphore permits;
    private final Counter acceptedSpans;
    private final Counter rejectedSpans;

    OtlpController(SpanStore store, TracingProperties limits, TrackstackProperties properties, JsonMapper json,
            MeterRegistry registry) {
        this.store = store;
        this.limits = limits;
        this.nameLength = properties.limits().nameLength();
        this.json = json;
        this.permits = new Semaphore(limits.concurrentRequests(), true);
        this.acceptedSpans = spans("accepted", registry);
        this.rejectedSpans = spans("rejected", registry);
    }

    /** Server-wide, tagged by outcome only (never by project or trace). */
    private static Counter spans(String outcome, MeterRegistry registry) {
        return Counter.builder("trackstack.otlp.spans").baseUnit("spans").tag("outcome", outcome)
                .description("Spans of stored OTLP requests: accepted (stored, or already stored) or rejected "
                        + "(counted in the answer's partial_success)").register(registry);
    }

    @PostMapping("/v1/traces")
    ResponseEntity<byte[]> traces(HttpServletRequest request,
            @RequestHeader(name = IncomingSpans.PROJECT_HEADER, required = false) String project) throws IOException {
        return handle(request, ExportTraceServiceRequest.newBuilder(), (caller, message) -> {
            IncomingSpans spans = new IncomingSpans(message.build(), project, limits, nameLength, json);
            for (IncomingSpans.Row row : spans.rows) {
                if (!caller.sees(row.project())) {
                    throw OtlpException.forbidden("This token does not cover project " + row.project());
                }
            }
            int received = spans.rows.size() + spans.rejected;
            store.store(spans);
            acceptedSpans.increment(received - spans.rejected);
            rejectedSpans.increment(spans.rejected);
            ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
            if (spans.rejected > 0) {
                response.setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(spans.rejected)
                        .setErrorMessage(spans.rejected + " span(s) rejected, the first because: "
                                + spans.firstRejection));
            }
            return response.build();
        });
    }

    @PostMapping("/v1/metrics")
    ResponseEntity<byte[]> metrics(HttpServletRequest request) throws IOException {
        return handle(request, ExportMetricsServiceRequest.newBuilder(), (caller, message) -> {
            long points = 0;
            for (ResourceMetrics resource : message.getResourceMetricsList()) {
                for (ScopeMetrics scope : resource.getScopeMetricsList()) {
                    for (Metric metric : scope.getMetricsList()) {
                        points += metric.getGauge().getDataPointsCount() + metric.getSum().getDataPointsCount()
                                + metric.getHistogram().getDataPointsCount()
                                + metric.getExponentialHistogram().getDataPointsCount()
                                + metric.getSummary().getDataPointsCount();
                    }
                }
            }
            return ExportMetricsServiceResponse.newBuilder().setPartialSuccess(ExportMetricsPartialSuccess
                    .newBuilder().setRejectedDataPoints(points).setErrorMessage(
                            "Trackstack does not store OpenTelemetry metrics: log metrics to a run instead")).build();
        });
    }

    @PostMapping("/v1/logs")
    ResponseEntity<byte[]> logs(HttpServletRequest request) throws IOException {
        return handle(request, ExportLogsServiceRequest.newBuilder(), (caller, message) -> {
            long records = 0;
            for (ResourceLogs resource : message.getResourceLogsList()) {
                for (ScopeLogs scope : resource.getScopeLogsList()) {
                    records += scope.getLogRecordsCount();
                }
            }
            return ExportLogsServiceResponse.newBuilder().setPartialSuccess(ExportLogsPartialSuccess.newBuilder()
                    .setRejectedLogRecords(records).setErrorMessage("Trackstack does not store OpenTelemetry logs"))
                    .build();
        });
    }

    /** What an endpoint does with its request, read into a message: its answer. */
    private interface Handler<B extends Message.Builder> {
        Message handle(Caller caller, B message);
    }

    /**
     * Checks the caller and the encoding, then reads and handles the request under a permit: requests beyond the
     * permits wait up to PERMIT_WAIT for one, in the order they came (so that one exporter among many is not refused
     * again and again), and are then answered 429 before their bodies are read, which bounds the memory that bodies
     * and messages take.
     * The answer goes in the request's encoding.
     */
    private <B extends Message.Builder> ResponseEntity<byte[]> handle(HttpServletRequest request, B message,
            Handler<B> handler) throws IOException {
        Caller caller = Caller.current();
        if (!caller.write()) {
            throw OtlpException.forbidden("This token is read-only (scope READ): it cannot send telemetry");
        }
        OtlpEncoding encoding = encoding(request);
        if (!acquirePermit()) {
            return status(encoding, HttpStatus.TOO_MANY_REQUESTS, Code.RESOURCE_EXHAUSTED,
                    "Too many OTLP requests are being handled; retry later", "1");
        }
        try {
            encoding.read(body(request), message, json);
            return ResponseEntity.ok().contentType(encoding.mediaType())
                    .body(encoding.write(handler.handle(caller, message)));
        } finally {
            permits.release();
        }
    }

    private boolean acquirePermit() {
        try {
            return permits.tryAcquire(PERMIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @ExceptionHandler
    ResponseEntity<byte[]> refused(OtlpException e, HttpServletRequest request) {
        return status(encodingOrJson(request), e.status(), e.code(), e.getMessage(), null);
    }

    /**
     * The database is down or busy: the exporter retries later (PostgreSQL rolled the transaction back). A failed
     * rollback or commit (TransactionSystemException, which then hides the first failure) says the same; a commit
     * that did go through makes the retry store nothing, spans being keyed.
     */
    @ExceptionHandler({DataAccessResourceFailureException.class, CannotCreateTransactionException.class,
            TransientDataAccessException.class, TransactionSystemException.class})
    ResponseEntity<byte[]> unavailable(Exception e, HttpServletRequest request) {
        if (e instanceof CannotAcquireLockException) {
            log.info("OTLP request waited too long for a lock: {}", e.toString());
        } else {
            log.warn("Database unavailable for an OTLP request: {}", e.toString());
        }
        return status(encodingOrJson(request), HttpStatus.SERVICE_UNAVAILABLE, Code.UNAVAILABLE,
                "The database is unavailable; retry later", RETRY_SECONDS);
    }

    /** A value our checks let through that the database cannot hold (SQLSTATE class 22): nothing was stored. */
    @ExceptionHandler
    ResponseEntity<byte[]> unstorable(DataIntegrityViolationException e, HttpServletRequest request) {
        log.warn("OTLP request with a value the database cannot store: {}", e.toString());
        return status(encodingOrJson(request), HttpStatus.BAD_REQUEST, Code.INVALID_ARGUMENT,
                "A value is out of the range the database can store; nothing was stored", null);
    }

    private static OtlpEncoding encoding(HttpServletRequest request) {
        OtlpEncoding encoding = OtlpEncoding.of(request.getContentType());
        if (encoding == null) {
            throw new OtlpException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, Code.INVALID_ARGUMENT,
                    "OTLP/HTTP is sent as application/x-protobuf or application/json, not " + request.getContentType());
        }
        return encoding;
    }

    /** Refusals of a request in neither encoding are written in JSON. */
    private static OtlpEncoding encodingOrJson(HttpServletRequest request) {
        OtlpEncoding encoding = OtlpEncoding.of(request.getContentType());
        return encoding == null ? OtlpEncoding.JSON : encoding;
    }

    /**
     * The body, gunzipped if it says so, refused above the limit before and after decompression. It is read up to
     * the limit even when its Content-Length is over: Tomcat then swallows a short rest and the exporter reads the
     * 413, where a refusal before reading would reset the connection under a large body.
     */
    private byte[] body(HttpServletRequest request) throws IOException {
        int limit = limits.requestBytes();
        byte[] body = request.getInputStream().readNBytes(limit + 1);
        if (body.length > limit) {
            throw tooLarge("more than " + limit + " bytes");
        }
        String contentEncoding = request.getHeader(HttpHeaders.CONTENT_ENCODING);
        if (contentEncoding == null || contentEncoding.isBlank() || contentEncoding.equalsIgnoreCase("identity")) {
            return body;
        }
        if (!contentEncoding.equalsIgnoreCase("gzip")) {
            throw new OtlpException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, Code.INVALID_ARGUMENT,
                    "Content-Encoding " + contentEncoding + " is not supported: send gzip or none");
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            byte[] plain = in.readNBytes(limit + 1);
            if (plain.length > limit) {
                throw tooLarge("more than " + limit + " bytes after gzip decompression");
            }
            return plain;
        } catch (IOException e) {
            throw OtlpException.badRequest("The body is not valid gzip: " + e.getMessage());
        }
    }

    private OtlpException tooLarge(String size) {
        return OtlpException.tooLarge("An OTLP request body of " + size + " exceeds the limit of "
                + limits.requestBytes() + " bytes (trackstack.tracing.request-bytes)");
    }

    private static ResponseEntity<byte[]> status(OtlpEncoding encoding, HttpStatus status, Code code, String message,
            String retryAfter) {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(status).contentType(encoding.mediaType());
        if (retryAfter != null) {
            response.header(HttpHeaders.RETRY_AFTER, retryAfter);
        }
        return response.body(encoding.write(Status.newBuilder().setCode(code.getNumber()).setMessage(message).build()));
    }
}
