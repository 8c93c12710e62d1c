package dev.trackstack.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.trackstack.eval.EvalResults.EvalScore;
import dev.trackstack.eval.EvalResults.StoredScore;
import dev.trackstack.eval.ScoreConfigs.ScoreConfig;
import dev.trackstack.trace.TraceSpan;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Controller;

/**
 * Span.evalScores: the scores of eval results that link to a span's trace (EvalResult.traceId), so that a traced
 * LLM call (a prompt version's call, say) shows how it was judged. Only eval runs of the span's own project count.
 */
@Controller
class SpanScores {

    private static final String SCORES = """
            select r.trace_id, m.project_id, %s
            from eval_result r
            join eval_score s on s.run_id = r.run_id and s.item_id = r.item_id and s.repetition = r.repetition
            join run on run.id = r.run_id
            join model m on m.id = run.model_id
            where r.trace_id = any(?)
              and exists (select 1 from span sp where sp.trace_id = r.trace_id and sp.project_id = m.project_id)
            order by s.name, s.rank desc
            """.formatted(StoredScore.columns("s"));

    private record Found(String traceId, long projectId, StoredScore score) {
    }

    private final JdbcTemplate jdbc;
    private final ScoreConfigs configs;

    SpanScores(JdbcTemplate jdbc, ScoreConfigs configs) {
        this.jdbc = jdbc;
        this.configs = configs;
    }

    /** For a page of spans at once: one query, and one for the score configs of each project involved. */
    @BatchMapping(typeName = "Span", field = "evalScores")
    List<List<EvalScore>> evalScores(List<TraceSpan> spans) {
        HexFormat hex = HexFormat.of();
        byte[][] traces = spans.stream().map(TraceSpan::traceId).distinct().map(hex::parseHex).toArray(byte[][]::new);
        List<Found> found = new ArrayList<>();
        jdbc.query(SCORES, rs -> {
            found.add(new Found(hex.formatHex(rs.getBytes(1)), rs.getLong(2), StoredScore.read(rs, 3)));
        }, (Object) traces);
        Map<Long, Set<String>> names = new HashMap<>();
        found.forEach(f -> names.computeIfAbsent(f.projectId(), p -> new TreeSet<>()).add(f.score().name()));
        Map<Long, Map<String, ScoreConfig>> byProject = new HashMap<>();
        names.forEach((project, projectNames) -> byProject.put(project, configs.configs(project, projectNames)));
        Map<String, List<EvalScore>> byTrace = new HashMap<>();
        for (Found f : found) {
            byTrace.computeIfAbsent(f.traceId(), t -> new ArrayList<>()).add(f.score().judged(byProject.get(f.projectId())));
        }
        return spans.stream().map(span -> byTrace.getOrDefault(span.traceId(), List.of())).toList();
    }
}
