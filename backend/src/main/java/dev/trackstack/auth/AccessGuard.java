package dev.trackstack.auth;

import static java.util.Map.entry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.trackstack.live.RunEvent;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.Ids;
import graphql.schema.DataFetcher;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.DataFetchingEnvironmentImpl;
import graphql.schema.FieldCoordinates;
import graphql.schema.GraphQLCodeRegistry;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLFieldsContainer;
import graphql.schema.GraphQLSchemaElement;
import graphql.schema.GraphQLTypeVisitorStub;
import graphql.util.TraversalControl;
import graphql.util.TraverserContext;
import org.springframework.boot.graphql.autoconfigure.GraphQlSourceBuilderCustomizer;
import org.springframework.graphql.execution.GraphQlSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/**
 * What a caller may do, enforced in one place. Every request enters through a root field (of Query, Mutation
 * or Subscription), and each root field has a rule below:
 * <ul>
 * <li>mutations need a WRITE token; managing tokens needs the admin token;</li>
 * <li>to a token limited to some projects, the other projects are absent: a run, model or project that a
 * root field's argument names is null to a query and NOT_FOUND to a mutation (a mutation naming a project
 * outside the token is FORBIDDEN), a list of run ids loses the runs outside, and what lists things
 * (projects, runEvents) shows the token's projects only. The runs query filters in SQL, for its paging.</li>
 * </ul>
 * A root field without a rule stops the application at start-up, so that none goes unguarded.
 */
@Component
class AccessGuard extends GraphQLTypeVisitorStub implements GraphQlSourceBuilderCustomizer {

    private static final Set<String> ROOT_TYPES = Set.of("Query", "Mutation", "Subscription");

    private static final String RUN_PROJECTS = """
            select r.id::text from run r join model m on m.id = r.model_id join project p on p.id = m.project_id
            where r.id = any(?) and p.name = any(?)
            """;

    private static final String MODEL_PROJECTS = """
            select m.id::text from model m join project p on p.id = m.project_id
            where m.id = any(?) and p.name = any(?)
            """;

    private static final String DATASET_VERSION_PROJECTS = """
            select v.id::text from eval_dataset_version v join eval_dataset d on d.id = v.dataset_id
            join project p on p.id = d.project_id
            where v.id = any(?) and p.name = any(?)
            """;

    /** What a root field answers a caller limited to some projects. */
    private interface Rule {
        Object fetch(DataFetcher<?> fetcher, DataFetchingEnvironment env, Caller caller) throws Exception;
    }

    /** Token management: the admin token only, which is limited to no project. */
    private static final Rule ADMIN = (fetcher, env, caller) -> fetcher.get(env);

    /** Tells nothing of any project (serverInfo). */
    private static final Rule SERVER_WIDE = (fetcher, env, caller) -> fetcher.get(env);

    /**
     * RunController and the trace package's controllers hand the caller's projects to their SQL, which then pages and counts
     * correctly; ProjectController lists the caller's projects only.
     */
    private static final Rule FILTERS_ITSELF = (fetcher, env, caller) -> fetcher.get(env);

    /** Changes what every project sees (the price table): a token limited to projects may not. */
    private static final Rule EVERY_PROJECT = (fetcher, env, caller) -> {
        throw ApiException.forbidden("This changes every project: it needs a token not limited to projects");
    };

    /** Imports read files on the server's machine and reach URLs from it: a token limited to projects may not. */
    private static final Rule SERVER_SOURCES = (fetcher, env, caller) -> {
        if (isMutation(env)) {
            throw ApiException.forbidden("Imports read the server's files and reach URLs from the server: they need a "
                    + "token not limited to projects");
        }
        return null;
    };

    private final JdbcTemplate jdbc;
    private final Map<String, Rule> rules;

    AccessGuard(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.rules = Map.ofEntries(
                entry("Query.projects", FILTERS_ITSELF),
                entry("Query.project", project("name")),
                entry("Query.model", id("model", MODEL_PROJECTS)),
                entry("Query.run", id("run", RUN_PROJECTS)),
                entry("Query.runs", FILTERS_ITSELF),
                entry("Query.series", runIds("runIds")),
                entry("Query.seriesGroups", runIds("runIds")),
                entry("Query.serverInfo", SERVER_WIDE),
                entry("Query.traces", FILTERS_ITSELF),
                entry("Query.trace", FILTERS_ITSELF),
                entry("Query.sessions", FILTERS_ITSELF),
                entry("Query.session", project("project")),
                entry("Query.llmUsage", FILTERS_ITSELF),
                entry("Query.modelPrices", SERVER_WIDE),
                entry("Query.apiTokens", ADMIN),
                entry("Query.prompts", project("project")),
                entry("Query.prompt", project("project")),
                entry("Query.promptVersions", project("project")),
                entry("Query.promptLabelHistory", project("project")),
                entry("Query.protectedPromptLabels", project("project")),
                entry("Mutation.savePrompt", project(env -> (String) env.<Map<String, Object>>getArgument("input")
                        .get("project"))),
                entry("Mutation.movePromptLabel", project("project")),
                entry("Mutation.deletePromptLabel", project("project")),
                entry("Mutation.setProtectedPromptLabels", project("project")),
                entry("Query.datasets", FILTERS_ITSELF),
                entry("Query.dataset", project("project")),
                entry("Query.datasetVersion", id("dataset version", DATASET_VERSION_PROJECTS)),
                entry("Query.scoreConfigs", FILTERS_ITSELF),
                entry("Query.evalResults", id("run", "runId", RUN_PROJECTS)),
                entry("Query.evalComparison", allRuns("baselineRunId", "contenderRunIds")),
                entry("Mutation.createModel", project("project")),
                entry("Mutation.deleteModel", id("model", MODEL_PROJECTS)),
                entry("Mutation.deleteProject", project("name")),
                entry("Mutation.createRun", id("model", "modelId", MODEL_PROJECTS)),
                entry("Mutation.updateRunStatus", id("run", "runId", RUN_PROJECTS)),
                entry("Mutation.updateRun", id("run", "runId", RUN_PROJECTS)),
                entry("Mutation.heartbeat", id("run", "runId", RUN_PROJECTS)),
                entry("Mutation.rewindRun", id("run", "runId", RUN_PROJECTS)),
                entry("Mutation.logMetrics", id("run", "runId", RUN_PROJECTS)),
                entry("Mutation.deleteRuns", runIds("ids")),
                entry("Mutation.logConsole", id("run", "runId", RUN_PROJECTS)),
                entry("Mutation.setRunEnvironment", id("run", "runId", RUN_PROJECTS)),
                entry("Mutation.setModelPrice", EVERY_PROJECT),
                entry("Mutation.deleteModelPrice", EVERY_PROJECT),
                entry("Mutation.addDatasetItems", project("project")),
                entry("Mutation.removeDatasetItems", project("project")),
                entry("Mutation.addDatasetItemsFromSpans", project("project")),
                entry("Mutation.setScoreConfig", project("project")),
                entry("Mutation.createEvalRun", id("model", "modelId", MODEL_PROJECTS)),
                entry("Mutation.logEvalResults", id("run", "runId", RUN_PROJECTS)),
                entry("Mutation.logScores", id("run", "runId", RUN_PROJECTS)),
                entry("Query.artifacts", project("project")),
                entry("Query.artifact", project("project")),
                entry("Query.artifactVersion", project("project")),
                entry("Query.artifactStorage", project("project")),
                entry("Mutation.logArtifact", project(env -> (String) env.<Map<String, Object>>getArgument("input")
                        .get("project"))),
                entry("Mutation.useArtifact", project("project")),
                entry("Mutation.setArtifactAlias", project("project")),
                entry("Mutation.deleteArtifactAlias", project("project")),
                entry("Mutation.deleteArtifactVersion", project("project")),
                entry("Query.savedViews", project("project")),
                entry("Mutation.saveView", project("project")),
                entry("Mutation.deleteView", project("project")),
                entry("Mutation.importRuns", SERVER_SOURCES),
                entry("Query.importJob", SERVER_SOURCES),
                entry("Mutation.createApiToken", ADMIN),
                entry("Mutation.revokeApiToken", ADMIN),
                entry("Subscription.runEvents", (fetcher, env, caller) -> ((Flux<?>) fetcher.get(env))
                        .filter(event -> caller.sees(((RunEvent) event).project()))),
                entry("Subscription.metricPoints", runIds("runIds")),
                entry("Subscription.traceUpdates", FILTERS_ITSELF),
                entry("Mutation.logMedia", id("run", "runId", RUN_PROJECTS)),
                entry("Query.mediaAt", runIds("runIds")),
                entry("Query.mediaAtSteps", runIds("runIds")),
                entry("Query.histograms", emptyOutside(id("run", "runId", RUN_PROJECTS))),
                entry("Subscription.mediaItems", runIds("runIds")));
    }

    @Override
    public void customize(GraphQlSource.SchemaResourceBuilder builder) {
        builder.typeVisitors(List.of(this));
    }

    @Override
    public TraversalControl visitGraphQLFieldDefinition(GraphQLFieldDefinition field,
            TraverserContext<GraphQLSchemaElement> context) {
        GraphQLFieldsContainer parent = (GraphQLFieldsContainer) context.getParentNode();
        if (!ROOT_TYPES.contains(parent.getName())) {
            return TraversalControl.CONTINUE;
        }
        String name = parent.getName() + "." + field.getName();
        Rule rule = rules.get(name);
        if (rule == null) {
            throw new IllegalStateException("No access rule for " + name + ": add one to " + getClass().getName());
        }
        GraphQLCodeRegistry.Builder registry = context.getVarFromParents(GraphQLCodeRegistry.Builder.class);
        FieldCoordinates coordinates = FieldCoordinates.coordinates(parent, field);
        DataFetcher<?> fetcher = registry.getDataFetcher(coordinates, field);
        registry.dataFetcher(coordinates, (DataFetcher<?>) env -> {
            Caller caller = Caller.current();
            if (rule == ADMIN && !caller.admin()) {
                throw ApiException.forbidden("Managing API tokens needs the admin token");
            }
            if (isMutation(env) && !caller.write()) {
                throw ApiException.forbidden("This token is read-only (scope READ): it cannot run " + field.getName());
            }
            return caller.projects() == null ? fetcher.get(env) : rule.fetch(fetcher, env, caller);
        });
        return TraversalControl.CONTINUE;
    }

    private static Rule project(String argument) {
        return project(env -> env.getArgument(argument));
    }

    private static Rule project(Function<DataFetchingEnvironment, String> argument) {
        return (fetcher, env, caller) -> {
            String project = argument.apply(env);
            if (caller.sees(project)) {
                return fetcher.get(env);
            }
            if (isMutation(env)) {
                throw ApiException.forbidden("This token does not cover project " + project);
            }
            return null;
        };
    }

    private Rule id(String what, String sql) {
        return id(what, "id", sql);
    }

    private Rule id(String what, String argument, String sql) {
        return (fetcher, env, caller) -> {
            String id = env.getArgument(argument);
            if (visible(List.of(id), sql, caller).contains(id)) {
                return fetcher.get(env);
            }
            if (isMutation(env)) {
                throw ApiException.notFound(what, id);
            }
            return null;
        };
    }

    /** A list of one run's: empty for a run outside the caller's projects, as a list of runs loses the run. */
    private static Rule emptyOutside(Rule rule) {
        return (fetcher, env, caller) -> {
            Object answer = rule.fetch(fetcher, env, caller);
            return answer == null ? List.of() : answer;
        };
    }

    /** Runs outside the caller's projects, and ids of no run, are dropped from the list. */
    private Rule runIds(String argument) {
        return (fetcher, env, caller) -> {
            List<String> ids = env.getArgument(argument);
            Set<String> visible = visible(ids, RUN_PROJECTS, caller);
            Map<String, Object> arguments = new HashMap<>(env.getArguments());
            arguments.put(argument, ids.stream().filter(visible::contains).toList());
            return fetcher.get(DataFetchingEnvironmentImpl.newDataFetchingEnvironment(env).arguments(arguments)
                    .build());
        };
    }

    /** A query naming one run and a list of runs: null unless the caller sees all of them. */
    private Rule allRuns(String runArgument, String runsArgument) {
        return (fetcher, env, caller) -> {
            List<String> ids = new ArrayList<>(env.<List<String>>getArgument(runsArgument));
            ids.add(env.getArgument(runArgument));
            return visible(ids, RUN_PROJECTS, caller).containsAll(ids) ? fetcher.get(env) : null;
        };
    }

    /** The ids (as text) that name a row of the caller's projects. */
    private Set<String> visible(List<String> ids, String sql, Caller caller) {
        return new HashSet<>(jdbc.queryForList(sql, String.class, Ids.parseAll(ids),
                caller.projects().toArray(String[]::new)));
    }

    private static boolean isMutation(DataFetchingEnvironment env) {
        return env.getParentType() == env.getGraphQLSchema().getMutationType();
    }
}
