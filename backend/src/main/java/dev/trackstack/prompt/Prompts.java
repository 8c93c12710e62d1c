package dev.trackstack.prompt;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import dev.trackstack.auth.Caller;
import dev.trackstack.project.ProjectIds;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import dev.trackstack.system.Page;
import dev.trackstack.system.Pages;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * The prompt registry. A save and a label move lock their prompt's row, so that version numbers and label
 * compare-and-sets never race; versions are never changed (a trigger refuses updates), label moves are appended
 * to prompt_label_event.
 */
@Service
class Prompts {

    static final String LATEST = "latest";
    static final String PRODUCTION = "production";
    /** Lower case, digits and {@code _ . -}, up to 64 characters: safe in URLs, file names and SDK calls. */
    static final Pattern LABEL = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    static final int PROTECTED_LABELS = 100;
    private static final int DEFAULT_PAGE_SIZE = 50;

    private static final String VERSION_COLUMNS = """
            select p.id as prompt_id, p.project_id, pr.name as project, p.name, p.type, v.version,
                   v.template::text as template, v.variables, v.config::text as config, v.commit_message,
                   v.created_by, v.created_at
            from prompt_version v join prompt p on p.id = v.prompt_id join project pr on pr.id = p.project_id
            """;

    private static final String PROMPT_COLUMNS = """
            select p.id, pr.name as project, p.name, p.type, p.created_at,
                   (select max(v.version) from prompt_version v where v.prompt_id = p.id) as latest_version
            from prompt p join project pr on pr.id = p.project_id
            """;

    /** The prompt's row, locked, with what a label move checks. */
    private record Locked(long id, String name, List<String> protectedLabels) {
    }

    private final JdbcTemplate jdbc;
    private final Pages pages;
    private final ProjectIds projectIds;
    private final JsonMapper json;
    private final int nameLength;

    Prompts(JdbcTemplate jdbc, Pages pages, ProjectIds projectIds, JsonMapper json, TrackstackProperties properties) {
        this.jdbc = jdbc;
        this.pages = pages;
        this.projectIds = projectIds;
        this.json = json;
        this.nameLength = properties.limits().nameLength();
    }

    @Transactional
    SavedPrompt save(SavePromptInput input) {
        checkName("project", input.project());
        checkName("name", input.name());
        PromptType asked = input.type() != null ? input.type()
                : input.messages() != null ? PromptType.CHAT : PromptType.TEXT;
        long projectId = projectIds.getOrCreate(input.project());
        jdbc.update("insert into prompt (project_id, name, type) values (?, ?, ?) on conflict do nothing", projectId,
                input.name(), asked.name());
        Map<String, Object> prompt = jdbc.queryForMap(
                "select id, type from prompt where project_id = ? and name = ? for update", projectId, input.name());
        long promptId = (Long) prompt.get("id");
        PromptType type = PromptType.valueOf((String) prompt.get("type"));
        if (input.type() != null && input.type() != type) {
            throw ApiException.badInput("Prompt " + input.name() + " is a " + type + " prompt; its type is fixed");
        }
        PromptContent content = PromptContent.of(input, type, json);
        List<Integer> same = jdbc.queryForList(
                "select version from prompt_version where prompt_id = ? and content_sha256 = ?", Integer.class,
                promptId, content.sha256());
        if (!same.isEmpty()) {
            return new SavedPrompt(version(promptId, same.get(0)), false);
        }
        int next = jdbc.queryForObject("select coalesce(max(version), 0) + 1 from prompt_version where prompt_id = ?",
                Integer.class, promptId);
        jdbc.update("""
                insert into prompt_version (prompt_id, version, template, variables, config, commit_message,
                    content_sha256, created_by)
                values (?, ?, ?::jsonb, ?, ?::jsonb, ?, ?, ?)
                """, promptId, next, content.templateJson(), content.variables().toArray(String[]::new),
                content.configJson(), input.commitMessage(), content.sha256(), Caller.current().name());
        return new SavedPrompt(version(promptId, next), true);
    }

    /** The version named by {@code version}, else by {@code label}, else by the label production. */
    @Transactional(readOnly = true)
    PromptVersion resolve(String project, String name, String label, Integer version) {
        if (label != null && version != null) {
            throw ApiException.badInput("Give a version or a label, not both");
        }
        long promptId = promptId(project, name);
        if (version != null) {
            return version(promptId, version);
        }
        String wanted = label == null ? PRODUCTION : label;
        if (wanted.equals(LATEST)) {
            return version(promptId, latest(promptId));
        }
        List<Integer> found = jdbc.queryForList("select version from prompt_label where prompt_id = ? and label = ?",
                Integer.class, promptId, wanted);
        if (found.isEmpty()) {
            throw new ApiException(ErrorCode.NOT_FOUND, "Prompt " + name + " has no label " + wanted
                    + (label == null ? " (the default when neither label nor version is given): move one there "
                            + "with movePromptLabel, or ask for label latest or a version" : ""));
        }
        return version(promptId, found.get(0));
    }

    @Transactional(readOnly = true)
    Page<Prompt> list(String project, String namePrefix, Integer first, String after) {
        String prefix = namePrefix == null ? "" : namePrefix.replaceAll("([\\\\%_])", "\\\\$1");
        MapSqlParameterSource params = new MapSqlParameterSource("project", project).addValue("prefix", prefix + "%");
        String where = " where pr.name = :project and p.name like :prefix";
        return pages.query(PROMPT_COLUMNS + where + " order by p.name limit :limit offset :offset",
                "select count(*) from prompt p join project pr on pr.id = p.project_id" + where, params, first,
                DEFAULT_PAGE_SIZE, after, (rs, i) -> prompt(rs));
    }

    @Transactional(readOnly = true)
    Page<PromptVersion> versions(String project, String name, Integer first, String after) {
        MapSqlParameterSource params = new MapSqlParameterSource("prompt", promptId(project, name));
        return pages.query(VERSION_COLUMNS + " where v.prompt_id = :prompt order by v.version desc "
                + "limit :limit offset :offset", "select count(*) from prompt_version where prompt_id = :prompt",
                params, first, DEFAULT_PAGE_SIZE, after, (rs, i) -> version(rs));
    }

    @Transactional(readOnly = true)
    Page<PromptLabelEvent> history(String project, String name, String label, Integer first, String after) {
        MapSqlParameterSource params = new MapSqlParameterSource("prompt", promptId(project, name))
                .addValue("label", label);
        String where = " where prompt_id = :prompt and (cast(:label as text) is null or label = :label)";
        return pages.query("select label, from_version, to_version, actor, at from prompt_label_event" + where
                + " order by id desc limit :limit offset :offset", "select count(*) from prompt_label_event" + where,
                params, first, DEFAULT_PAGE_SIZE, after, (rs, i) -> new PromptLabelEvent(rs.getString("label"),
                        rs.getObject("from_version", Integer.class), rs.getObject("to_version", Integer.class),
                        rs.getString("actor"), rs.getObject("at", OffsetDateTime.class)));
    }

    /** Points the label at the version if it points at {@code expected} now (null: if there is no such label). */
    @Transactional
    PromptLabel move(String project, String name, String label, int version, Integer expected) {
        checkLabel(label);
        Locked prompt = lock(project, name);
        version(prompt.id(), version);
        Integer current = change(prompt, label, expected);
        if (current == null || current != version) {
            jdbc.update("""
                    insert into prompt_label (prompt_id, label, version, updated_by) values (?, ?, ?, ?)
                    on conflict (prompt_id, label)
                    do update set version = excluded.version, updated_by = excluded.updated_by, updated_at = now()
                    """, prompt.id(), label, version, Caller.current().name());
            event(prompt.id(), label, current, version);
        }
        return labels(prompt.id()).stream().filter(l -> l.label().equals(label)).findFirst().orElseThrow();
    }

    @Transactional
    boolean delete(String project, String name, String label, int expected) {
        checkLabel(label);
        Locked prompt = lock(project, name);
        change(prompt, label, expected);
        jdbc.update("delete from prompt_label where prompt_id = ? and label = ?", prompt.id(), label);
        event(prompt.id(), label, expected, null);
        return true;
    }

    @Transactional
    List<String> setProtected(String project, List<String> labels) {
        checkName("project", project);
        if (!Caller.current().maintain()) {
            throw ApiException.forbidden("Setting the protected prompt labels needs a MAINTAIN token");
        }
        if (labels.size() > PROTECTED_LABELS) {
            throw ApiException.limit("labels: " + labels.size(), PROTECTED_LABELS);
        }
        labels.forEach(Prompts::checkLabel);
        List<String> distinct = new LinkedHashSet<>(labels).stream().sorted().toList();
        jdbc.update("update project set protected_prompt_labels = ? where id = ?", distinct.toArray(String[]::new),
                projectIds.getOrCreate(project));
        return distinct;
    }

    @Transactional(readOnly = true)
    List<String> protectedLabels(String project) {
        return jdbc.query("select protected_prompt_labels from project where name = ?",
                (rs, i) -> strings(rs.getArray(1)), project).stream().findFirst().orElse(List.of(PRODUCTION));
    }

    /** The prompt's labels by name, `latest` among them. */
    @Transactional(readOnly = true)
    List<PromptLabel> labels(long promptId) {
        List<String> protectedLabels = jdbc.queryForObject("""
                select pr.protected_prompt_labels from prompt p join project pr on pr.id = p.project_id
                where p.id = ?
                """, (rs, i) -> strings(rs.getArray(1)), promptId);
        List<PromptLabel> labels = new ArrayList<>(jdbc.query("""
                select label, version, updated_by, updated_at from prompt_label where prompt_id = ?
                """, (rs, i) -> new PromptLabel(rs.getString("label"), rs.getInt("version"),
                protectedLabels.contains(rs.getString("label")), rs.getString("updated_by"),
                rs.getObject("updated_at", OffsetDateTime.class)), promptId));
        labels.add(jdbc.queryForObject("""
                select version, created_at from prompt_version where prompt_id = ? order by version desc limit 1
                """, (rs, i) -> new PromptLabel(LATEST, rs.getInt("version"), false, null,
                rs.getObject("created_at", OffsetDateTime.class)), promptId));
        labels.sort(Comparator.comparing(PromptLabel::label));
        return labels;
    }

    /** The labels pointing at the version, `latest` among them when it is the highest. */
    @Transactional(readOnly = true)
    List<String> labelsOf(PromptVersion version) {
        return jdbc.queryForList("""
                select label from prompt_label where prompt_id = ? and version = ?
                union all
                select 'latest' where ? = (select max(version) from prompt_version where prompt_id = ?)
                order by 1
                """, String.class, version.promptId(), version.version(), version.version(), version.promptId());
    }

    @Transactional(readOnly = true)
    Prompt prompt(long promptId) {
        return jdbc.queryForObject(PROMPT_COLUMNS + " where p.id = ?", (rs, i) -> prompt(rs), promptId);
    }

    /**
     * Checks that the caller may change the label and that it points at {@code expected} (null: that there is no
     * such label); answers where it points now.
     */
    private Integer change(Locked prompt, String label, Integer expected) {
        if (prompt.protectedLabels().contains(label) && !Caller.current().maintain()) {
            throw ApiException.forbidden("Label " + label + " is protected: moving it needs a MAINTAIN token");
        }
        List<Integer> found = jdbc.queryForList("select version from prompt_label where prompt_id = ? and label = ?",
                Integer.class, prompt.id(), label);
        Integer current = found.isEmpty() ? null : found.get(0);
        if (!Objects.equals(current, expected)) {
            throw new ApiException(ErrorCode.CONFLICT, "Label " + label + " of prompt " + prompt.name()
                    + (current == null ? " does not exist" : " points at version " + current) + ", not "
                    + (expected == null ? "nowhere" : "version " + expected)
                    + " as expected: it changed meanwhile. Read it again and retry; nothing was written");
        }
        return current;
    }

    private void event(long promptId, String label, Integer from, Integer to) {
        jdbc.update("""
                insert into prompt_label_event (prompt_id, label, from_version, to_version, actor)
                values (?, ?, ?, ?, ?)
                """, promptId, label, from, to, Caller.current().name());
    }

    private Locked lock(String project, String name) {
        return jdbc.query("""
                select p.id, p.name, pr.protected_prompt_labels from prompt p join project pr on pr.id = p.project_id
                where pr.name = ? and p.name = ?
                for update of p
                """, (rs, i) -> new Locked(rs.getLong("id"), rs.getString("name"),
                strings(rs.getArray("protected_prompt_labels"))), project, name).stream().findFirst()
                .orElseThrow(() -> noPrompt(project, name));
    }

    private long promptId(String project, String name) {
        return jdbc.queryForList("""
                select p.id from prompt p join project pr on pr.id = p.project_id where pr.name = ? and p.name = ?
                """, Long.class, project, name).stream().findFirst().orElseThrow(() -> noPrompt(project, name));
    }

    private int latest(long promptId) {
        return jdbc.queryForObject("select max(version) from prompt_version where prompt_id = ?", Integer.class,
                promptId);
    }

    private PromptVersion version(long promptId, int version) {
        return jdbc.query(VERSION_COLUMNS + " where v.prompt_id = ? and v.version = ?", (rs, i) -> version(rs),
                promptId, version).stream().findFirst().orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND,
                        "The prompt has no version " + version));
    }

    private PromptVersion version(ResultSet rs) throws SQLException {
        PromptType type = PromptType.valueOf(rs.getString("type"));
        Object template = json.readValue(rs.getString("template"), Object.class);
        List<PromptMessage> messages = null;
        if (template instanceof List<?> list) {
            messages = list.stream().map(m -> (Map<?, ?>) m)
                    .map(m -> new PromptMessage((String) m.get("role"), (String) m.get("content"))).toList();
        }
        return new PromptVersion(rs.getLong("prompt_id"), rs.getLong("project_id"), rs.getString("project"),
                rs.getString("name"), type, rs.getInt("version"), template instanceof String text ? text : null,
                messages, strings(rs.getArray("variables")), json.readValue(rs.getString("config"), Object.class),
                rs.getString("commit_message"), rs.getString("created_by"),
                rs.getObject("created_at", OffsetDateTime.class));
    }

    private static Prompt prompt(ResultSet rs) throws SQLException {
        return new Prompt(rs.getLong("id"), rs.getString("project"), rs.getString("name"),
                PromptType.valueOf(rs.getString("type")), rs.getObject("created_at", OffsetDateTime.class),
                rs.getInt("latest_version"));
    }

    private static List<String> strings(Array array) throws SQLException {
        return Arrays.asList((String[]) array.getArray());
    }

    private static ApiException noPrompt(String project, String name) {
        return new ApiException(ErrorCode.NOT_FOUND, "No prompt " + name + " in project " + project);
    }

    private void checkName(String what, String value) {
        if (value.isEmpty() || value.length() > nameLength) {
            throw ApiException.badInput(what + " must be 1 to " + nameLength + " characters");
        }
        if (value.isBlank() || value.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badInput(what + " must not be blank or hold control characters");
        }
        if (what.equals("name") && (value.startsWith("/") || value.endsWith("/") || value.contains("//"))) {
            throw ApiException.badInput("A prompt name's folders (\"/\") must not be empty: no leading, trailing "
                    + "or double /");
        }
    }

    private static void checkLabel(String label) {
        if (label.equals(LATEST)) {
            throw ApiException.badInput("Label latest is always the highest version: it cannot be set");
        }
        if (!LABEL.matcher(label).matches()) {
            throw ApiException.badInput("A label is 1 to 64 characters of a-z, 0-9, _, . and -, starting with a "
                    + "letter or digit: not " + label);
        }
    }
}
