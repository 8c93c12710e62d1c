package dev.trackstack.traintrack;

import java.util.List;
import java.util.Set;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * TrainTrack's REST API, its paths and JSON under {@code trackstack.traintrack.prefix} (docs/traintrack.md): a script
 * written for TrainTrack logs here by changing its base URL only. Settings: {@code trackstack.traintrack.enabled}
 * (default true; see {@link TrainTrackSwitch}) and {@code .prefix} (default {@code /traintrack}), in
 * docs/configuration.md. Each path is served with and without TrainTrack's trailing slash. Errors answer as FastAPI
 * does, {@code {"detail": …}}, with our error code beside it: 404 for what does not exist, 422 for a body or
 * parameter that does not fit TrainTrack's schema, 403 for what the token may not.
 */
@RestController
@RequestMapping("${trackstack.traintrack.prefix:/traintrack}")
class TrainTrackController {

    private static final Logger log = LoggerFactory.getLogger(TrainTrackController.class);

    private final TrainTrack trainTrack;
    private final JsonMapper json;

    TrainTrackController(TrainTrack trainTrack, JsonMapper json) {
        this.trainTrack = trainTrack;
        this.json = json;
    }

    // /models/

    @PostMapping({"/models/", "/models"})
    TrainTrackJson.Model createModel(@RequestBody JsonNode body) {
        JsonBody model = JsonBody.of(body);
        return trainTrack.createModel(model.text("name"), model.text("project_name"));
    }

    @GetMapping({"/models/", "/models"})
    List<TrainTrackJson.Model> models() {
        return trainTrack.models();
    }

    @DeleteMapping("/models/{modelId}")
    TrainTrackJson.Detail deleteModel(@PathVariable String modelId) {
        trainTrack.deleteModel(modelId);
        return new TrainTrackJson.Detail("Model deleted", null);
    }

    @DeleteMapping("/models/project/{projectName}")
    TrainTrackJson.Detail deleteProject(@PathVariable String projectName) {
        int deleted = trainTrack.deleteModelsOfProject(projectName);
        return new TrainTrackJson.Detail(deleted + " model(s) of project " + projectName + " deleted", null);
    }

    // /runs/

    @PostMapping({"/runs/", "/runs"})
    TrainTrackJson.Run createRun(@RequestBody JsonNode body) {
        JsonBody run = JsonBody.of(body);
        return trainTrack.createRun(run.text("model_id"), run.object("hyperparameters", json));
    }

    @GetMapping("/runs/runbymodels/{modelId}")
    List<TrainTrackJson.Run> runsOfModel(@PathVariable String modelId) {
        return trainTrack.runsOfModel(modelId);
    }

    @GetMapping("/runs/runbyproject/{projectName}")
    List<TrainTrackJson.Run> runsOfProject(@PathVariable String projectName) {
        return trainTrack.runsOfProject(projectName);
    }

    @DeleteMapping("/runs/{runIds}")
    TrainTrackJson.Detail deleteRuns(@PathVariable String runIds) {
        int deleted = trainTrack.deleteRuns(runIds);
        return new TrainTrackJson.Detail(deleted == 1 ? "Run deleted" : deleted + " runs deleted", null);
    }

    @PatchMapping("/runs/update_status")
    TrainTrackJson.Run updateStatus(@RequestBody JsonNode body) {
        JsonBody update = JsonBody.of(body);
        return trainTrack.updateStatus(update.text("run_id"),
                update.choice("new_status", Set.of("running", "completed", "failed")));
    }

    // /loss/ and /metric/

    @PostMapping({"/loss/", "/loss"})
    TrainTrackJson.Point logLoss(@RequestBody JsonNode body) {
        return trainTrack.log(List.of(loss(JsonBody.of(body)))).get(0);
    }

    @PostMapping("/loss/batch")
    List<TrainTrackJson.Point> logLosses(@RequestBody JsonNode body) {
        return trainTrack.log(JsonBody.list(body).stream().map(TrainTrackController::loss).toList());
    }

    @GetMapping({"/loss/", "/loss"})
    List<TrainTrackJson.Point> losses(@RequestParam("run_id") String runId,
            @RequestParam(required = false) String split, @RequestParam(required = false) Integer limit) {
        return trainTrack.points(runId, List.of(TrainTrack.LOSS), split(split), limit);
    }

    @PostMapping({"/metric/", "/metric"})
    TrainTrackJson.Point logMetric(@RequestBody JsonNode body) {
        return trainTrack.log(List.of(metric(JsonBody.of(body)))).get(0);
    }

    @PostMapping("/metric/batch")
    List<TrainTrackJson.Point> logMetrics(@RequestBody JsonNode body) {
        return trainTrack.log(JsonBody.list(body).stream().map(TrainTrackController::metric).toList());
    }

    @GetMapping({"/metric/", "/metric"})
    List<TrainTrackJson.Point> metrics(@RequestParam("run_id") String runId,
            @RequestParam(required = false) String split,
            @RequestParam(name = "metric_name", required = false) String metricName,
            @RequestParam(required = false) Integer limit) {
        if (metricName != null && !TrainTrack.METRICS.contains(metricName)) {
            throw ApiException.badInput("metric_name must be one of " + String.join(", ", TrainTrack.METRICS)
                    + "; got " + metricName);
        }
        return trainTrack.points(runId, metricName == null ? List.copyOf(TrainTrack.METRICS) : List.of(metricName),
                split(split), limit);
    }

    private static TrainTrackJson.Point loss(JsonBody body) {
        return new TrainTrackJson.Point(body.text("run_id"), body.integer("step"),
                body.choice("split", TrainTrack.SPLITS), null, body.number("value"), null);
    }

    private static TrainTrackJson.Point metric(JsonBody body) {
        return new TrainTrackJson.Point(body.text("run_id"), body.integer("step"),
                body.choice("split", TrainTrack.SPLITS), body.choice("metric_name", TrainTrack.METRICS),
                body.number("value"), null);
    }

    private static String split(String split) {
        if (split != null && !TrainTrack.SPLITS.contains(split)) {
            throw ApiException.badInput("split must be one of " + String.join(", ", TrainTrack.SPLITS) + "; got "
                    + split);
        }
        return split;
    }

    // Errors, as FastAPI shapes them

    @ExceptionHandler
    ResponseEntity<TrainTrackJson.Detail> refused(ApiException e) {
        HttpStatus status = switch (e.code()) {
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case BAD_USER_INPUT, LIMIT_EXCEEDED -> HttpStatus.UNPROCESSABLE_CONTENT;
            case FORBIDDEN -> HttpStatus.FORBIDDEN;
            case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            default -> HttpStatus.BAD_REQUEST;
        };
        return error(status, e.code(), e.getMessage());
    }

    /** A body that is not JSON: FastAPI's validation answer, 422, as for every request that does not fit. */
    @ExceptionHandler
    ResponseEntity<TrainTrackJson.Detail> unreadable(HttpMessageNotReadableException e) {
        return error(HttpStatus.UNPROCESSABLE_CONTENT, ErrorCode.BAD_USER_INPUT, "The body must be JSON");
    }

    @ExceptionHandler
    ResponseEntity<TrainTrackJson.Detail> missing(MissingServletRequestParameterException e) {
        return error(HttpStatus.UNPROCESSABLE_CONTENT, ErrorCode.BAD_USER_INPUT,
                "The query parameter " + e.getParameterName() + " is required");
    }

    @ExceptionHandler
    ResponseEntity<TrainTrackJson.Detail> mistyped(MethodArgumentTypeMismatchException e) {
        return error(HttpStatus.UNPROCESSABLE_CONTENT, ErrorCode.BAD_USER_INPUT,
                "The parameter " + e.getName() + " must be an integer, got " + e.getValue());
    }

    /** A value our checks let through that the database cannot hold: nothing was stored. */
    @ExceptionHandler
    ResponseEntity<TrainTrackJson.Detail> unstorable(DataIntegrityViolationException e) {
        return error(HttpStatus.UNPROCESSABLE_CONTENT, ErrorCode.BAD_USER_INPUT,
                "A value cannot be stored: " + e.getMostSpecificCause().getMessage());
    }

    @ExceptionHandler({DataAccessResourceFailureException.class, CannotCreateTransactionException.class,
            TransientDataAccessException.class})
    ResponseEntity<TrainTrackJson.Detail> unavailable(Exception e) {
        log.warn("TrainTrack request failed, the database is unavailable: {}", e.getMessage());
        return error(HttpStatus.SERVICE_UNAVAILABLE, ErrorCode.UNAVAILABLE,
                "The database is unavailable. Retry later.");
    }

    private static ResponseEntity<TrainTrackJson.Detail> error(HttpStatus status, ErrorCode code, String message) {
        return ResponseEntity.status(status).body(new TrainTrackJson.Detail(message, code.name()));
    }
}
