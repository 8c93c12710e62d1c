package dev.trackstack.export;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import dev.trackstack.auth.Caller;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import dev.trackstack.system.Ids;
import dev.trackstack.web.JsonErrorResponse;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.ServletRequestBindingException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Exports over plain HTTP (docs/api.md, "Exporting"): every point of a project's series, and its runs. Everything
 * that can be refused is checked before the first byte; a failure after it cuts the response off.
 */
@RestController
@RequestMapping("/api/v1/projects/{project}/export")
class ExportController {

    private static final Logger log = LoggerFactory.getLogger(ExportController.class);

    private final JdbcTemplate jdbc;
    private final PointExport points;
    private final RunExport runs;

    ExportController(JdbcTemplate jdbc, PointExport points, RunExport runs) {
        this.jdbc = jdbc;
        this.points = points;
        this.runs = runs;
    }

    @GetMapping("/points")
    void points(@PathVariable String project, @RequestParam(defaultValue = "csv") String format,
            @RequestParam(required = false) List<String> run, @RequestParam(required = false) String model,
            @RequestParam(required = false) List<String> name, @RequestParam(required = false) String split,
            HttpServletResponse response) throws IOException {
        format(format, Set.of("csv", "parquet"));
        ExportFilter filter = filter(project, run, model, name, split);
        OutputStream out = start(response, project + "-points." + format,
                format.equals("csv") ? "text/csv; charset=utf-8" : "application/vnd.apache.parquet");
        points.export(filter, format.equals("csv") ? new CsvPoints(out) : new ParquetPoints(out));
    }

    @GetMapping("/runs")
    void runs(@PathVariable String project, @RequestParam(defaultValue = "json") String format,
            @RequestParam(required = false) List<String> run, @RequestParam(required = false) String model,
            HttpServletResponse response) throws IOException {
        format(format, Set.of("json", "csv"));
        ExportFilter filter = filter(project, run, model, null, null);
        OutputStream out = start(response, project + "-runs." + format,
                format.equals("csv") ? "text/csv; charset=utf-8" : "application/json");
        if (format.equals("csv")) {
            runs.csv(filter, out);
        } else {
            runs.json(filter, out);
        }
    }

    private static void format(String format, Set<String> formats) {
        if (!formats.contains(format)) {
            throw ApiException.badInput("Unknown format " + format + ": use one of " + String.join(", ",
                    formats.stream().sorted().toList()));
        }
    }

    /** The project, if the caller may see it (FORBIDDEN before NOT_FOUND: a token learns nothing of others). */
    private ExportFilter filter(String project, List<String> run, String model, List<String> name, String split) {
        if (!Caller.current().sees(project)) {
            throw ApiException.forbidden("This token does not cover project " + project);
        }
        List<String> texts = new ArrayList<>(name == null ? List.of() : name);
        texts.addAll(Arrays.asList(project, model, split));
        if (texts.stream().anyMatch(text -> text != null && text.indexOf('\0') >= 0)) {
            throw ApiException.badInput("A filter holds U+0000, which no name can");
        }
        Long projectId = jdbc.queryForList("select id from project where name = ?", Long.class, project).stream()
                .findFirst().orElseThrow(() -> ApiException.notFound("project", project));
        return new ExportFilter(projectId, run == null ? null : Ids.parseAll(run), blankToNull(model),
                name, blankToNull(split));
    }

    private static String blankToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static OutputStream start(HttpServletResponse response, String fileName, String contentType)
            throws IOException {
        response.setContentType(contentType);
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION,
                ContentDisposition.attachment().filename(fileName, StandardCharsets.UTF_8).build().toString());
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        return response.getOutputStream();
    }

    @ExceptionHandler(ApiException.class)
    void refused(ApiException e, HttpServletResponse response) throws IOException {
        JsonErrorResponse.write(response, e);
    }

    @ExceptionHandler({ServletRequestBindingException.class, TypeMismatchException.class})
    void malformed(Exception e, HttpServletResponse response) throws IOException {
        JsonErrorResponse.write(response, HttpStatus.BAD_REQUEST, ErrorCode.BAD_USER_INPUT,
                "Malformed request: " + e.getMessage());
    }

    /**
     * The database failing, or the client gone. Before the first byte: retry later. After it, the exception goes on
     * so that the server cuts the connection, and the client sees a broken download rather than a short file.
     */
    @ExceptionHandler({IOException.class, UncheckedIOException.class, DataAccessResourceFailureException.class})
    void failed(Exception e, HttpServletResponse response) throws Exception {
        log.warn("Export failed: {}", e.toString());
        if (response.isCommitted()) {
            throw e;
        }
        response.reset();
        JsonErrorResponse.write(response, HttpStatus.SERVICE_UNAVAILABLE, ErrorCode.UNAVAILABLE,
                "The export failed; retry later");
    }
}
