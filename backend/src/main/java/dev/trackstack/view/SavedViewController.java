package dev.trackstack.view;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import dev.trackstack.auth.Caller;
import dev.trackstack.project.ProjectIds;
import dev.trackstack.system.ApiException;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Controller;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/** Saved views (graphql/view.graphqls); AccessGuard keeps tokens to their projects. */
@Controller
class SavedViewController {

    static final int MAX_NAME_CHARS = 128;
    static final int MAX_STATE_CHARS = 65_536;
    static final int MAX_VIEWS_PER_PROJECT = 500;

    record SavedView(String name, Object state, OffsetDateTime createdAt, OffsetDateTime updatedAt, String updatedBy) {
    }

    private static final String SELECT = """
            select v.name, v.state::text, v.created_at, v.updated_at, v.updated_by
            from saved_view v join project p on p.id = v.project_id""";

    private final JdbcTemplate jdbc;
    private final ProjectIds projectIds;
    private final JsonMapper json;

    SavedViewController(JdbcTemplate jdbc, ProjectIds projectIds, JsonMapper json) {
        this.jdbc = jdbc;
        this.projectIds = projectIds;
        this.json = json;
    }

    @QueryMapping
    List<SavedView> savedViews(@Argument String project) {
        return jdbc.query(SELECT + " where p.name = ? order by v.name", this::view, project);
    }

    @MutationMapping
    @Transactional
    SavedView saveView(@Argument String project, @Argument String name, @Argument Object state) {
        if (name == null || name.isBlank()) {
            throw ApiException.badInput("A view needs a name");
        }
        if (name.length() > MAX_NAME_CHARS) {
            throw ApiException.limit("A view name of " + name.length() + " characters", MAX_NAME_CHARS);
        }
        if (!(state instanceof Map)) {
            throw ApiException.badInput("A view's state must be a JSON object");
        }
        String stateJson = json.writeValueAsString(state);
        if (stateJson.length() > MAX_STATE_CHARS) {
            throw ApiException.limit("A view's state of " + stateJson.length() + " characters", MAX_STATE_CHARS);
        }
        long projectId = projectIds.getOrCreate(project);
        // The project's row locked, so that two saves at once cannot both pass the count.
        jdbc.queryForObject("select id from project where id = ? for update", Long.class, projectId);
        Integer others = jdbc.queryForObject("select count(*)::int from saved_view where project_id = ? and name <> ?",
                Integer.class, projectId, name);
        if (others >= MAX_VIEWS_PER_PROJECT) {
            throw ApiException.limit("Saved views in project " + project, MAX_VIEWS_PER_PROJECT);
        }
        jdbc.update("""
                insert into saved_view (project_id, name, state, updated_by) values (?, ?, ?::jsonb, ?)
                on conflict (project_id, name)
                do update set state = excluded.state, updated_at = now(), updated_by = excluded.updated_by""",
                projectId, name, stateJson, Caller.current().name());
        return jdbc.queryForObject(SELECT + " where v.project_id = ? and v.name = ?", this::view, projectId, name);
    }

    @MutationMapping
    boolean deleteView(@Argument String project, @Argument String name) {
        return jdbc.update("""
                delete from saved_view v using project p
                where p.id = v.project_id and p.name = ? and v.name = ?""", project, name) > 0;
    }

    private SavedView view(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new SavedView(rs.getString(1), json.readValue(rs.getString(2), Object.class),
                rs.getObject(3, OffsetDateTime.class), rs.getObject(4, OffsetDateTime.class), rs.getString(5));
    }
}
