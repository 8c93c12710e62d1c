package dev.trackstack.project;

import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.trackstack.auth.Caller;
import dev.trackstack.run.RunDeletion;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import org.springframework.data.domain.Sort;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Controller;
import org.springframework.transaction.annotation.Transactional;

@Controller
class ProjectController {

    private final ProjectRepository projects;
    private final ModelRepository models;
    private final RunDeletion runDeletion;
    private final JdbcTemplate jdbc;

    ProjectController(ProjectRepository projects, ModelRepository models, RunDeletion runDeletion,
            JdbcTemplate jdbc) {
        this.projects = projects;
        this.models = models;
        this.runDeletion = runDeletion;
        this.jdbc = jdbc;
    }

    /** The caller's projects only (see AccessGuard). */
    @QueryMapping
    List<Project> projects() {
        Caller caller = Caller.current();
        return projects.findAll(Sort.by("name")).stream().filter(project -> caller.sees(project.getName())).toList();
    }

    @QueryMapping
    Project project(@Argument String name) {
        return projects.findByName(name).orElse(null);
    }

    /** Removes the project with its models, runs and points; answers how many models were removed. */
    @MutationMapping
    @Transactional
    int deleteProject(@Argument String name) {
        Project project = projects.findByName(name)
                .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND,
                        "No project named " + name));
        long[] modelIds = models.findByProjectIdInOrderByName(List.of(project.getId())).stream()
                .mapToLong(Model::getId).toArray();
        runDeletion.deleteRunsOfModels(modelIds);
        projects.delete(project);
        return modelIds.length;
    }

    @BatchMapping
    Map<Project, List<Model>> models(List<Project> batch) {
        Map<Long, List<Model>> byProject = models.findByProjectIdInOrderByName(
                batch.stream().map(Project::getId).toList()).stream()
                .collect(Collectors.groupingBy(Model::getProjectId));
        return batch.stream().collect(Collectors.toMap(Function.identity(),
                p -> byProject.getOrDefault(p.getId(), List.of())));
    }

    @BatchMapping
    Map<Project, Integer> runCount(List<Project> batch) {
        return perProject(batch, "count(*)::int", 0, Integer.class);
    }

    @BatchMapping
    Map<Project, Integer> runningCount(List<Project> batch) {
        return perProject(batch, "count(*) filter (where r.status = 'RUNNING')::int", 0, Integer.class);
    }

    @BatchMapping
    Map<Project, OffsetDateTime> lastActivityAt(List<Project> batch) {
        // A run made, still beating, or ended: whichever came last (greatest() skips nulls).
        return perProject(batch, "greatest(max(r.created_at), max(r.last_heartbeat_at), max(r.finished_at))", null,
                OffsetDateTime.class);
    }

    /** One aggregate over each project's runs, in one query for the batch; {@code none} for a project without. */
    private <T> Map<Project, T> perProject(List<Project> batch, String aggregate, T none, Class<T> type) {
        Map<Long, T> values = new HashMap<>();
        jdbc.query("select m.project_id, " + aggregate + " from run r join model m on m.id = r.model_id "
                + "where m.project_id = any(?) group by m.project_id", rs -> {
            values.put(rs.getLong(1), rs.getObject(2, type));
        }, (Object) batch.stream().mapToLong(Project::getId).toArray());
        // HashMap, not Collectors.toMap, which refuses null values.
        Map<Project, T> answer = new HashMap<>();
        batch.forEach(project -> answer.put(project, values.getOrDefault(project.getId(), none)));
        return answer;
    }
}
