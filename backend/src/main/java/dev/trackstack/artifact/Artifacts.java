package dev.trackstack.artifact;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import dev.trackstack.run.Run;
import dev.trackstack.run.RunRepository;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.Page;
import dev.trackstack.system.Pages;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/** Reading artifacts and versions, and moving aliases, lineage and deletion (graphql/artifact.graphqls). */
@Service
class Artifacts {

    static final String LATEST = "latest";
    private static final int FILES_PAGE = 1000;
    static final Pattern ALIAS = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");

    private static final String ARTIFACT = """
            select a.id, p.name as project, a.name, a.type, a.description, a.created_at,
                (select coalesce(max(v.version), 0) from artifact_version v where v.artifact_id = a.id) as latest_version,
                (select count(*) from artifact_version v where v.artifact_id = a.id) as version_count
            from artifact a join project p on p.id = a.project_id""";

    static final String VERSION = """
            select v.id, v.artifact_id, p.name as project, v.version, v.digest, v.size, v.file_count,
                v.metadata::text as metadata, v.created_at, v.run_id
            from artifact_version v join artifact a on a.id = v.artifact_id join project p on p.id = a.project_id""";

    private final JdbcTemplate jdbc;
    private final Pages pages;
    private final JsonMapper json;
    private final RunRepository runs;
    private final ArtifactDeletion deletion;
    /** A version's files fit in one page (the schema's default is a page of 1,000). */
    private final int filesPerVersion;

    Artifacts(JdbcTemplate jdbc, Pages pages, JsonMapper json, RunRepository runs, ArtifactDeletion deletion,
            ArtifactProperties properties) {
        this.filesPerVersion = properties.filesPerVersion();
        this.jdbc = jdbc;
        this.pages = pages;
        this.json = json;
        this.runs = runs;
        this.deletion = deletion;
    }

    Page<Artifact> list(String project, String type, String namePrefix, Integer first, String after) {
        String prefix = namePrefix == null ? "" : namePrefix.replaceAll("([\\\\%_])", "\\\\$1");
        String where = " where p.name = :project and a.name like :prefix and (cast(:type as text) is null or a.type = :type)";
        MapSqlParameterSource params = new MapSqlParameterSource("project", project).addValue("prefix", prefix + "%")
                .addValue("type", type);
        return pages.query(ARTIFACT + where + " order by a.name limit :limit offset :offset",
                "select count(*) from artifact a join project p on p.id = a.project_id" + where, params, first, 50,
                after, this::artifactRow);
    }

    Artifact find(String project, String name) {
        return jdbc.query(ARTIFACT + " where p.name = ? and a.name = ?", this::artifactRow, project, name).stream()
                .findFirst().orElse(null);
    }

    Artifact artifact(long id) {
        return jdbc.queryForObject(ARTIFACT + " where a.id = ?", this::artifactRow, id);
    }

    /** The version that {@code version}, else {@code alias}, else `latest` names; NOT_FOUND when none. */
    ArtifactVersion resolve(String project, String name, Integer version, String alias) {
        if (version != null && alias != null) {
            throw ApiException.badInput("Give version or alias, not both");
        }
        List<Object> args = new ArrayList<>(List.of(project, name));
        String where;
        if (version != null) {
            where = " and v.version = ?";
            args.add(version);
        } else if (alias == null || alias.equals(LATEST)) {
            where = " and v.version = (select max(w.version) from artifact_version w where w.artifact_id = a.id)";
        } else {
            where = " and v.id = (select al.version_id from artifact_alias al where al.artifact_id = a.id and al.alias = ?)";
            args.add(alias);
        }
        String label = name + ":" + (version != null ? "v" + version : alias == null ? LATEST : alias);
        return jdbc.query(VERSION + " where p.name = ? and a.name = ?" + where, this::version, args.toArray())
                .stream().findFirst().orElseThrow(() -> ApiException.notFound("artifact version", label));
    }

    Page<ArtifactVersion> versions(Artifact artifact, Integer first, String after) {
        MapSqlParameterSource params = new MapSqlParameterSource("artifact", artifact.id());
        return pages.query(VERSION + " where v.artifact_id = :artifact order by v.version desc limit :limit offset :offset",
                "select count(*) from artifact_version v where v.artifact_id = :artifact", params, first, 50, after,
                this::version);
    }

    /** `latest` first, then the others by name. */
    List<ArtifactAlias> aliases(Artifact artifact) {
        List<ArtifactAlias> aliases = new ArrayList<>();
        if (artifact.latestVersion() > 0) {
            aliases.add(new ArtifactAlias(LATEST, artifact.latestVersion()));
        }
        aliases.addAll(jdbc.query("""
                select al.alias, v.version from artifact_alias al join artifact_version v on v.id = al.version_id
                where al.artifact_id = ? order by al.alias""",
                (rs, row) -> new ArtifactAlias(rs.getString(1), rs.getInt(2)), artifact.id()));
        return aliases;
    }

    List<String> aliases(ArtifactVersion version) {
        List<String> aliases = new ArrayList<>();
        Integer latest = jdbc.queryForObject("select max(version) from artifact_version where artifact_id = ?",
                Integer.class, version.artifactId());
        if (latest != null && latest == version.version()) {
            aliases.add(LATEST);
        }
        aliases.addAll(jdbc.queryForList("select alias from artifact_alias where version_id = ? order by alias",
                String.class, version.id()));
        return aliases;
    }

    Page<ArtifactFile> files(ArtifactVersion version, String pathPrefix, Integer first, String after) {
        String where = " where version_id = :version and starts_with(path, :prefix)";
        MapSqlParameterSource params = new MapSqlParameterSource("version", version.id())
                .addValue("prefix", pathPrefix == null ? "" : pathPrefix);
        return pages.query("select path, size, sha256 from artifact_file" + where + " order by path limit :limit offset :offset",
                "select count(*) from artifact_file" + where, params, first, FILES_PAGE, filesPerVersion, after,
                (rs, row) -> new ArtifactFile(version.project(), rs.getString("path"), rs.getLong("size"),
                        rs.getString("sha256")));
    }

    Run producedBy(ArtifactVersion version) {
        return version.runId() == null ? null : runs.findById(version.runId()).orElse(null);
    }

    List<Run> usedBy(ArtifactVersion version) {
        List<Long> ids = jdbc.queryForList("select run_id from artifact_usage where version_id = ? order by used_at, run_id",
                Long.class, version.id());
        return runs.findAllById(ids).stream()
                .sorted((a, b) -> Integer.compare(ids.indexOf(a.getId()), ids.indexOf(b.getId()))).toList();
    }

    List<ArtifactVersion> loggedBy(Run run) {
        return jdbc.query(VERSION + " where v.run_id = ? order by v.created_at, v.id", this::version, run.getId());
    }

    List<ArtifactVersion> usedBy(Run run) {
        return jdbc.query(VERSION + " join artifact_usage u on u.version_id = v.id where u.run_id = ?"
                + " order by u.used_at, v.id", this::version, run.getId());
    }

    ArtifactStorage storage(String project) {
        return jdbc.queryForObject("""
                select (select coalesce(sum(b.size), 0) from blob b where b.sha256 in (
                            select f.sha256 from artifact_file f join artifact_version v on v.id = f.version_id
                            join artifact a on a.id = v.artifact_id join project p on p.id = a.project_id
                            where p.name = ?)) as bytes,
                       (select count(distinct f.sha256) from artifact_file f join artifact_version v on v.id = f.version_id
                            join artifact a on a.id = v.artifact_id join project p on p.id = a.project_id
                            where p.name = ?) as blobs,
                       (select count(*) from artifact_version v join artifact a on a.id = v.artifact_id
                            join project p on p.id = a.project_id where p.name = ?) as versions""",
                (rs, row) -> new ArtifactStorage(rs.getLong("bytes"), rs.getInt("blobs"), rs.getInt("versions")),
                project, project, project);
    }

    /** Lineage: the run (of the project) used the version. */
    @Transactional
    ArtifactVersion use(String runId, String project, String name, Integer version, String alias) {
        ArtifactVersion used = resolve(project, name, version, alias);
        jdbc.update("""
                insert into artifact_usage (run_id, version_id) values (?, ?)
                on conflict (run_id, version_id) do nothing""", runOf(project, runId), used.id());
        return used;
    }

    /** The id of the run of the project; NOT_FOUND for any other. */
    long runOf(String project, String runId) {
        long id;
        try {
            id = Long.parseLong(runId);
        } catch (NumberFormatException e) {
            throw ApiException.notFound("run", runId);
        }
        return jdbc.queryForList("""
                select r.id from run r join model m on m.id = r.model_id join project p on p.id = m.project_id
                where r.id = ? and p.name = ?""", Long.class, id, project).stream().findFirst()
                .orElseThrow(() -> ApiException.notFound("run in project " + project + "", runId));
    }

    @Transactional
    ArtifactVersion setAlias(String project, String name, String alias, int version) {
        checkMovable(alias);
        ArtifactVersion target = resolve(project, name, version, null);
        pointAlias(target.artifactId(), alias, target.id());
        return target;
    }

    void pointAlias(long artifactId, String alias, long versionId) {
        jdbc.update("""
                insert into artifact_alias (artifact_id, alias, version_id) values (?, ?, ?)
                on conflict (artifact_id, alias) do update set version_id = excluded.version_id""",
                artifactId, alias, versionId);
    }

    static void checkMovable(String alias) {
        if (LATEST.equals(alias)) {
            throw ApiException.badInput("`latest` is always the highest version: it cannot be moved or removed");
        }
        if (!ALIAS.matcher(alias).matches()) {
            throw ApiException.badInput("An alias must match " + ALIAS.pattern() + ": " + alias);
        }
    }

    @Transactional
    boolean deleteAlias(String project, String name, String alias) {
        checkMovable(alias);
        return jdbc.update("""
                delete from artifact_alias al using artifact a, project p
                where al.artifact_id = a.id and a.project_id = p.id and p.name = ? and a.name = ? and al.alias = ?""",
                project, name, alias) > 0;
    }

    @Transactional
    boolean deleteVersion(String project, String name, int version) {
        List<Long> ids = jdbc.queryForList("""
                select v.id from artifact_version v join artifact a on a.id = v.artifact_id
                join project p on p.id = a.project_id where p.name = ? and a.name = ? and v.version = ?
                for update of v""", Long.class, project, name, version);
        deletion.deleteVersions(ids);
        return !ids.isEmpty();
    }

    private Artifact artifactRow(ResultSet rs, int row) throws SQLException {
        return new Artifact(rs.getLong("id"), rs.getString("project"), rs.getString("name"), rs.getString("type"),
                rs.getString("description"), rs.getObject("created_at", OffsetDateTime.class),
                rs.getInt("latest_version"), rs.getInt("version_count"));
    }

    ArtifactVersion version(ResultSet rs, int row) throws SQLException {
        return new ArtifactVersion(rs.getLong("id"), rs.getLong("artifact_id"), rs.getString("project"),
                rs.getInt("version"), rs.getString("digest"), rs.getLong("size"), rs.getInt("file_count"),
                json.readValue(rs.getString("metadata"), Object.class), rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("run_id", Long.class));
    }
}
