package dev.trackstack.artifact;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import dev.trackstack.artifact.LogArtifactInput.ArtifactFileInput;
import dev.trackstack.project.ProjectIds;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.Sha256;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * logArtifact: checks the manifest, answers the blobs still to upload, or commits the version with its files and
 * aliases in one transaction (docs/api.md, "Artifacts").
 */
@Service
class ArtifactLog {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final int NAME_LENGTH = 128;
    private static final int TYPE_LENGTH = 64;
    private static final int PATH_LENGTH = 1024;
    private static final int METADATA_CHARS = 65_536;
    private static final int ALIASES = 32;
    /** UTF-8 byte order, which is code point order: what a client sorting its paths as strings gets (Python). */
    private static final Comparator<ArtifactFileInput> BY_PATH = Comparator.comparing(
            file -> file.path().getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned);

    private final JdbcTemplate jdbc;
    private final Artifacts artifacts;
    private final ProjectIds projectIds;
    private final JsonMapper json;
    private final long maxFileBytes;
    private final int filesPerVersion;
    private final int descriptionLength;

    ArtifactLog(JdbcTemplate jdbc, Artifacts artifacts, ProjectIds projectIds, JsonMapper json,
            ArtifactProperties properties, TrackstackProperties trackstack) {
        this.jdbc = jdbc;
        this.artifacts = artifacts;
        this.projectIds = projectIds;
        this.json = json;
        this.maxFileBytes = properties.maxFileBytes().toBytes();
        this.filesPerVersion = properties.filesPerVersion();
        this.descriptionLength = trackstack.limits().notesLength();
    }

    @Transactional
    LoggedArtifact log(LogArtifactInput input) {
        List<ArtifactFileInput> files = validFiles(input.files());
        List<String> aliases = validAliases(input.aliases());
        String metadata = validMetadata(input.metadata());
        checkName(input.name());
        if (input.type() == null || input.type().isBlank()) {
            throw ApiException.badInput("type must not be empty");
        }
        if (input.type().length() > TYPE_LENGTH) {
            throw ApiException.limit("A type of " + input.type().length() + " characters", TYPE_LENGTH);
        }
        if (input.description() != null && input.description().length() > descriptionLength) {
            throw ApiException.limit("A description of " + input.description().length() + " characters",
                    descriptionLength);
        }
        Long runId = input.runId() == null ? null : artifacts.runOf(input.project(), input.runId());
        String digest = digest(files);

        ArtifactVersion existing = existing(input, digest);
        if (existing != null) {
            return new LoggedArtifact(existing, false, List.of());
        }
        // Locked FOR SHARE until this transaction ends: the collector skips them (ArtifactDeletion).
        Map<String, Long> stored = new HashMap<>();
        jdbc.query("select sha256, size from blob where sha256 = any(?) order by sha256 for share",
                rs -> {
                    stored.put(rs.getString(1), rs.getLong(2));
                }, (Object) files.stream().map(ArtifactFileInput::sha256).distinct().toArray(String[]::new));
        Set<String> missing = new LinkedHashSet<>();
        for (ArtifactFileInput file : files) {
            Long size = stored.get(file.sha256());
            if (size == null) {
                missing.add(file.sha256());
            } else if (size != file.size()) {
                throw ApiException.badInput("File " + file.path() + " has size " + file.size() + " but the blob "
                        + file.sha256() + " has " + size + " bytes");
            }
        }
        if (!missing.isEmpty()) {
            return new LoggedArtifact(null, false, List.copyOf(missing));
        }

        long projectId = projectIds.getOrCreate(input.project());
        jdbc.update("""
                insert into artifact (project_id, name, type, description) values (?, ?, ?, ?)
                on conflict (project_id, name) do nothing""", projectId, input.name(), input.type(),
                input.description());
        // The artifact's row lock orders its versions: numbers and the digest check are taken under it.
        long artifactId = jdbc.queryForObject("select id from artifact where project_id = ? and name = ? for update",
                Long.class, projectId, input.name());
        existing = existing(input, digest);
        if (existing != null) {
            return new LoggedArtifact(existing, false, List.of());
        }
        describe(artifactId, input.description());
        int version = jdbc.queryForObject("select coalesce(max(version), 0) + 1 from artifact_version where artifact_id = ?",
                Integer.class, artifactId);
        long versionId = jdbc.queryForObject("""
                insert into artifact_version (artifact_id, version, digest, size, file_count, metadata, run_id)
                values (?, ?, ?, ?, ?, ?::jsonb, ?) returning id""", Long.class, artifactId, version, digest,
                files.stream().mapToLong(ArtifactFileInput::size).sum(), files.size(), metadata, runId);
        jdbc.batchUpdate("insert into artifact_file (version_id, path, size, sha256) values (?, ?, ?, ?)",
                files.stream().map(f -> new Object[] {versionId, f.path(), f.size(), f.sha256()}).toList());
        aliases.forEach(alias -> artifacts.pointAlias(artifactId, alias, versionId));
        return new LoggedArtifact(artifacts.resolve(input.project(), input.name(), version, null), true, List.of());
    }

    /** The version of the artifact with this digest (its type checked), given description and aliases. */
    private ArtifactVersion existing(LogArtifactInput input, String digest) {
        List<Map<String, Object>> artifact = jdbc.queryForList("""
                select a.id, a.type from artifact a join project p on p.id = a.project_id
                where p.name = ? and a.name = ?""", input.project(), input.name());
        if (artifact.isEmpty()) {
            return null;
        }
        long artifactId = ((Number) artifact.get(0).get("id")).longValue();
        String type = (String) artifact.get(0).get("type");
        if (!type.equals(input.type())) {
            throw ApiException.badInput("Artifact " + input.name() + " is of type " + type + ", not " + input.type());
        }
        List<ArtifactVersion> found = jdbc.query(Artifacts.VERSION + " where v.artifact_id = ? and v.digest = ?",
                artifacts::version, artifactId, digest);
        if (found.isEmpty()) {
            return null;
        }
        describe(artifactId, input.description());
        validAliases(input.aliases()).forEach(alias -> artifacts.pointAlias(artifactId, alias, found.get(0).id()));
        return found.get(0);
    }

    private void describe(long artifactId, String description) {
        if (description != null) {
            jdbc.update("update artifact set description = ? where id = ?", description, artifactId);
        }
    }

    /** SHA-256 of the lines {@code <path> <size> <sha256>\n} sorted by path, UTF-8. */
    static String digest(List<ArtifactFileInput> sorted) {
        StringBuilder manifest = new StringBuilder();
        sorted.forEach(file -> manifest.append(file.path()).append(' ').append(file.size()).append(' ')
                .append(file.sha256()).append('\n'));
        return HexFormat.of().formatHex(Sha256.of(manifest.toString()));
    }

    private static void checkName(String name) {
        if (name.length() > NAME_LENGTH) {
            throw ApiException.limit("A name of " + name.length() + " characters", NAME_LENGTH);
        }
        if (!NAME.matcher(name).matches()) {
            throw ApiException.badInput("An artifact name is letters, digits and _ . - only: " + name);
        }
    }

    /** Sorted by path; each path relative and without empty, "." or ".." parts; no path twice. */
    private List<ArtifactFileInput> validFiles(List<ArtifactFileInput> files) {
        if (files.isEmpty()) {
            throw ApiException.badInput("A version needs at least one file");
        }
        if (files.size() > filesPerVersion) {
            throw ApiException.limit(files.size() + " files", filesPerVersion);
        }
        Set<String> paths = new HashSet<>();
        for (ArtifactFileInput file : files) {
            String path = file.path();
            if (path.length() > PATH_LENGTH) {
                throw ApiException.limit("A path of " + path.length() + " characters", PATH_LENGTH);
            }
            if (path.startsWith("/")) {
                throw ApiException.badInput("A file path must be relative: " + path);
            }
            for (String part : path.split("/", -1)) {
                if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                    throw ApiException.badInput("A file path may have no empty, \".\" or \"..\" part: " + path);
                }
            }
            if (path.chars().anyMatch(c -> c < 0x20 || c == '\\')) {
                throw ApiException.badInput("A file path may hold neither control characters nor \"\\\": " + path);
            }
            if (!paths.add(path)) {
                throw ApiException.badInput("Two files have the path " + path);
            }
            if (file.size() < 0) {
                throw ApiException.badInput("A file's size must be 0 or more: " + path);
            }
            if (file.size() > maxFileBytes) {
                throw ApiException.limit("File " + path + " of " + file.size() + " bytes", maxFileBytes);
            }
            if (!Uploads.SHA256.matcher(file.sha256()).matches()) {
                throw ApiException.badInput("sha256 must be 64 lower-case hex digits: " + file.sha256());
            }
        }
        List<ArtifactFileInput> sorted = new ArrayList<>(files);
        sorted.sort(BY_PATH);
        return sorted;
    }

    /** The aliases to point, `latest` left out (it moves by itself). */
    private static List<String> validAliases(List<String> aliases) {
        if (aliases == null) {
            return List.of();
        }
        if (aliases.size() > ALIASES) {
            throw ApiException.limit(aliases.size() + " aliases", ALIASES);
        }
        List<String> moved = aliases.stream().filter(alias -> !alias.equals(Artifacts.LATEST)).distinct().toList();
        moved.forEach(Artifacts::checkMovable);
        return moved;
    }

    private String validMetadata(Object metadata) {
        if (metadata == null) {
            return "{}";
        }
        if (!(metadata instanceof Map)) {
            throw ApiException.badInput("metadata must be a JSON object");
        }
        String text = json.writeValueAsString(metadata);
        if (text.length() > METADATA_CHARS) {
            throw ApiException.limit("Metadata of " + text.length() + " characters", METADATA_CHARS);
        }
        return text;
    }
}
