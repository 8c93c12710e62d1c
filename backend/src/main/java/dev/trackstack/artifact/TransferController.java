package dev.trackstack.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.trackstack.auth.Caller;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import dev.trackstack.web.JsonErrorResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Globals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.ServletRequestBindingException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The bytes of artifacts over plain HTTP (docs/api.md, "Uploading" and "Downloading"); GraphQL carries the rest.
 * Errors have the GraphQL error shape; a full disk is 507 and a store that cannot be reached 503, nothing else 5xx.
 */
@RestController
@RequestMapping("/api/v1")
class TransferController {

    private static final Logger log = LoggerFactory.getLogger(TransferController.class);

    static final String UPLOAD_OFFSET = "Upload-Offset";
    private static final int BUFFER = 1 << 20;

    private final Uploads uploads;
    private final BlobStore store;
    private final DownloadLinks links;
    private final JdbcTemplate jdbc;
    private final ImageRenditions renditions;

    TransferController(Uploads uploads, BlobStore store, DownloadLinks links, JdbcTemplate jdbc,
            ImageRenditions renditions) {
        this.uploads = uploads;
        this.store = store;
        this.links = links;
        this.jdbc = jdbc;
        this.renditions = renditions;
    }

    record StartUpload(String sha256, Long size) {
    }

    @PostMapping("/projects/{project}/uploads")
    ResponseEntity<Map<String, Object>> start(@PathVariable String project, @RequestBody StartUpload body)
            throws IOException {
        mayWrite(project);
        Uploads.Started started = uploads.start(project, body.sha256(), body.size());
        Map<String, Object> answer = new LinkedHashMap<>();
        if (started.upload() == null) {
            answer.put("complete", true);
            return ResponseEntity.ok(answer);
        }
        answer.put("id", started.upload().id().toString());
        answer.put("offset", started.upload().offset());
        answer.put("size", started.upload().size());
        return ResponseEntity.status(started.created() ? HttpStatus.CREATED : HttpStatus.OK).body(answer);
    }

    @PatchMapping("/uploads/{id}")
    ResponseEntity<Void> append(@PathVariable String id, @RequestHeader(UPLOAD_OFFSET) long offset,
            HttpServletRequest request) throws IOException {
        Uploads.Upload upload = upload(id);
        long reached = uploads.append(upload, offset, request.getContentLengthLong(), request.getInputStream());
        ResponseEntity.HeadersBuilder<?> answer = ResponseEntity.noContent().header(UPLOAD_OFFSET,
                Long.toString(reached));
        if (reached == upload.size()) {
            answer.header("Upload-Complete", "true");
        }
        return answer.build();
    }

    @RequestMapping(path = "/uploads/{id}", method = RequestMethod.HEAD)
    ResponseEntity<Void> offset(@PathVariable String id) {
        Uploads.Upload upload = upload(id);
        return ResponseEntity.ok().header(UPLOAD_OFFSET, Long.toString(upload.offset()))
                .header("Upload-Length", Long.toString(upload.size()))
                .header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    }

    @DeleteMapping("/uploads/{id}")
    ResponseEntity<Void> cancel(@PathVariable String id) {
        uploads.discard(upload(id));
        return ResponseEntity.noContent().build();
    }

    /** An upload the caller may write to; another project's is FORBIDDEN. */
    private Uploads.Upload upload(String id) {
        Uploads.Upload upload = uploads.find(id).orElseThrow(() -> ApiException.notFound("upload", id));
        mayWrite(upload.project());
        return upload;
    }

    private static void mayWrite(String project) {
        Caller caller = Caller.current();
        if (!caller.write()) {
            throw ApiException.forbidden("This token is read-only (scope READ): it cannot upload");
        }
        if (!caller.sees(project)) {
            throw ApiException.forbidden("This token does not cover project " + project);
        }
    }

    /**
     * GET and HEAD (which Spring routes here too). {@code w} asks for an image scaled down to that width, outside the
     * signature: it shows no more than the blob the link gives.
     */
    @GetMapping("/projects/{project}/blobs/{sha256}")
    void download(@PathVariable String project, @PathVariable String sha256, @RequestParam(required = false) String name,
            @RequestParam(required = false) Long expires, @RequestParam(required = false) String signature,
            @RequestParam(required = false) Integer w, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        if (signature != null) {
            if (expires == null || !links.valid(project, sha256, name, expires, signature)) {
                throw ApiException.forbidden("This download link is invalid or expired: ask for a new one");
            }
        } else if (!Caller.current().sees(project)) {
            throw ApiException.forbidden("This token does not cover project " + project);
        }
        // A blob of the project: a file of its artifacts, or an image of its runs' media.
        List<Long> sizes = jdbc.queryForList("""
                select b.size from blob b where b.sha256 = ? and (exists (
                    select 1 from artifact_file f join artifact_version v on v.id = f.version_id
                    join artifact a on a.id = v.artifact_id join project p on p.id = a.project_id
                    where f.sha256 = b.sha256 and p.name = ?) or exists (
                    select 1 from media_blob m join run r on r.id = m.run_id join model o on o.id = r.model_id
                    join project p on p.id = o.project_id
                    where m.sha256 = b.sha256 and p.name = ?))""", Long.class, sha256, project, project);
        if (sizes.isEmpty()) {
            throw ApiException.notFound("blob in project " + project + " with SHA-256", sha256);
        }
        long size = sizes.get(0);
        boolean head = "HEAD".equals(request.getMethod());
        String renditionTag = "\"" + sha256 + "-" + w + "\"";
        if (w != null && renditionTag.equals(request.getHeader(HttpHeaders.IF_NONE_MATCH))) {
            // the browser holds the rendition: answered without making or reading it
            cacheForever(response, renditionTag);
            response.setStatus(HttpStatus.NOT_MODIFIED.value());
            return;
        }
        Optional<ImageRenditions.Rendition> rendition = w == null ? Optional.empty() : renditions.of(sha256, size, w);
        if (rendition.isPresent()) {
            sendRendition(rendition.get(), renditionTag, name, head, response);
            return;
        }
        String etag = "\"" + sha256 + "\"";
        if (etag.equals(request.getHeader(HttpHeaders.IF_NONE_MATCH))) {
            cacheForever(response, etag);
            response.setStatus(HttpStatus.NOT_MODIFIED.value());
            return;
        }
        long[] range = range(request.getHeader(HttpHeaders.RANGE), size);
        if (range == null) {
            response.setHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + size);
            JsonErrorResponse.write(response, HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, ErrorCode.BAD_USER_INPUT,
                    "The range is outside the " + size + " bytes of the blob");
            return;
        }
        long start = range[0];
        long length = range[1] - range[0] + 1;
        // A file on this disk Tomcat sends with sendfile(2), never through this JVM's memory (not over TLS).
        boolean sendfile = !head && length > 0
                && Boolean.TRUE.equals(request.getAttribute(Globals.SENDFILE_SUPPORTED_ATTR));
        Optional<Path> file = sendfile ? store.localFile(sha256) : Optional.empty();
        // Opened before any header is set: a store that fails (S3 away) answers an error that no cache keeps.
        try (InputStream in = head || file.isPresent() ? null : store.open(sha256, start, length)) {
            cacheForever(response, etag);
            response.setHeader(HttpHeaders.ACCEPT_RANGES, "bytes");
            String type = contentType(name);
            disposition(response, name, type);
            if (length != size) {
                response.setStatus(HttpStatus.PARTIAL_CONTENT.value());
                response.setHeader(HttpHeaders.CONTENT_RANGE, "bytes " + start + "-" + range[1] + "/" + size);
            }
            response.setContentType(type);
            response.setContentLengthLong(length);
            if (file.isPresent()) {
                request.setAttribute(Globals.SENDFILE_FILENAME_ATTR, file.get().toString());
                request.setAttribute(Globals.SENDFILE_FILE_START_ATTR, start);
                request.setAttribute(Globals.SENDFILE_FILE_END_ATTR, start + length);
                return;
            }
            if (in == null) {
                return;
            }
            OutputStream out = response.getOutputStream();
            byte[] buffer = new byte[BUFFER];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
            }
        }
    }

    /** A rendition, small: whole (whatever the Range), from its file. */
    private static void sendRendition(ImageRenditions.Rendition rendition, String etag, String name, boolean head,
            HttpServletResponse response) throws IOException {
        cacheForever(response, etag);
        disposition(response, name, rendition.contentType());
        response.setContentType(rendition.contentType());
        response.setContentLengthLong(rendition.size());
        if (!head) {
            Files.copy(rendition.file(), response.getOutputStream());
        }
    }

    /** An image opens in the browser's tab; anything else downloads. */
    private static void disposition(HttpServletResponse response, String name, String type) {
        if (name != null) {
            ContentDisposition.Builder disposition = type.startsWith("image/") ? ContentDisposition.inline()
                    : ContentDisposition.attachment();
            response.setHeader(HttpHeaders.CONTENT_DISPOSITION,
                    disposition.filename(name, StandardCharsets.UTF_8).build().toString());
        }
    }

    /**
     * Images by their name's extension, so that a media image's link opens in the browser; anything else (HTML,
     * SVG, scripts) is plain bytes, never rendered from this origin.
     */
    private static String contentType(String name) {
        String extension = name == null ? "" : name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return switch (extension) {
            case "png" -> "image/png";
            case "jpg", "jpeg" -> "image/jpeg";
            case "webp" -> "image/webp";
            default -> "application/octet-stream";
        };
    }

    /** The bytes of a SHA-256 never change. */
    private static void cacheForever(HttpServletResponse response, String etag) {
        response.setHeader(HttpHeaders.ETAG, etag);
        response.setHeader(HttpHeaders.CACHE_CONTROL, "private, max-age=31536000, immutable");
    }

    /**
     * The first and last byte a Range header asks for; the whole blob without one (or for several ranges, which
     * a server may answer whole); null when unsatisfiable.
     */
    static long[] range(String header, long size) {
        long[] whole = {0, size - 1};
        if (header == null || !header.startsWith("bytes=") || header.contains(",")) {
            return whole;
        }
        String spec = header.substring("bytes=".length()).trim();
        int dash = spec.indexOf('-');
        try {
            if (dash < 0) {
                return whole;
            }
            if (dash == 0) {
                long suffix = Long.parseLong(spec.substring(1));
                return suffix <= 0 || size == 0 ? null : new long[] {Math.max(0, size - suffix), size - 1};
            }
            long first = Long.parseLong(spec.substring(0, dash));
            long last = dash == spec.length() - 1 ? size - 1 : Math.min(size - 1, Long.parseLong(spec.substring(dash + 1)));
            return first >= size || last < first ? null : new long[] {first, last};
        } catch (NumberFormatException e) {
            return whole;
        }
    }

    @ExceptionHandler(ApiException.class)
    void refused(ApiException e, HttpServletResponse response) throws IOException {
        if (e instanceof Uploads.OffsetConflict conflict) {
            response.setHeader(UPLOAD_OFFSET, Long.toString(conflict.offset));
        }
        if (e.getCause() != null) {
            log.warn("{}: {}", e.getMessage(), e.getCause().toString());
        }
        JsonErrorResponse.write(response, e);
    }

    @ExceptionHandler({HttpMessageNotReadableException.class, ServletRequestBindingException.class,
            TypeMismatchException.class})
    void malformed(Exception e, HttpServletResponse response) throws IOException {
        JsonErrorResponse.write(response, HttpStatus.BAD_REQUEST, ErrorCode.BAD_USER_INPUT,
                "Malformed request: " + e.getMessage());
    }

    /** The disk or the database failing: retry later. (A client that hung up reads no answer anyway.) */
    @ExceptionHandler({IOException.class, java.io.UncheckedIOException.class, DataAccessResourceFailureException.class})
    void unavailable(Exception e, HttpServletResponse response) throws IOException {
        log.warn("Artifact transfer failed: {}", e.toString());
        if (!response.isCommitted()) {
            response.reset();
            JsonErrorResponse.write(response, HttpStatus.SERVICE_UNAVAILABLE, ErrorCode.UNAVAILABLE,
                    "The artifact storage failed; retry later");
        }
    }
}
