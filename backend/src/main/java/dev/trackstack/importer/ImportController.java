package dev.trackstack.importer;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.trackstack.run.Run;
import dev.trackstack.run.RunRepository;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.stereotype.Controller;

/** The imports' GraphQL fields (graphql/import.graphqls). */
@Controller
class ImportController {

    private final ImportJobs jobs;
    private final RunRepository runs;

    ImportController(ImportJobs jobs, RunRepository runs) {
        this.jobs = jobs;
        this.runs = runs;
    }

    @MutationMapping
    ImportJob importRuns(@Argument ImportInput input) {
        return jobs.start(input);
    }

    @QueryMapping
    ImportJob importJob(@Argument String id) {
        return jobs.job(id);
    }

    @SchemaMapping(typeName = "ImportJob", field = "runs")
    List<Run> runs(ImportJob job) {
        List<Long> ids = jobs.runIds(job);
        Map<Long, Run> byId = runs.findAllById(ids).stream().collect(Collectors.toMap(Run::getId, Function.identity()));
        return ids.stream().map(byId::get).filter(run -> run != null).toList();
    }
}
