package dev.trackstack.console;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.trackstack.live.RunEvent;
import dev.trackstack.run.RunLifecycle;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.EpochMicros;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Console lines of runs, stored as the client numbered them and read back by page with an optional search; and the
 * environments of runs.
 */
@Service
public class ConsoleStore {

    /** Lines numbered from this on are not stored: a run that prints without end must not fill the disk. */
    static final long MAX_LINES_PER_RUN = 100_000;

    private static final String INSERT = """
            insert into console_line (run_id, line, stream, ts, text)
            select ?, l.line, l.stream, timestamptz 'epoch' + l.micros * interval '1 microsecond', l.text
            from unnest(?::bigint[], ?::text[], ?::bigint[], ?::text[]) as l(line, stream, micros, text)
            on conflict do nothing
            """;

    private static final String PAGE = "select line, stream, " + EpochMicros.sql("ts") + ", text from console_line "
            + "where run_id = ? and line > ? and (?::text is null or strpos(lower(text), lower(?::text)) > 0) "
            + "and (?::text is null or stream = ?::text) order by line limit ?";

    private final JdbcTemplate jdbc;
    private final RunLifecycle lifecycle;

    ConsoleStore(JdbcTemplate jdbc, RunLifecycle lifecycle) {
        this.jdbc = jdbc;
        this.lifecycle = lifecycle;
    }

    @Transactional
    public ConsoleLogResult log(long runId, List<ConsoleLineInput> lines) {
        if (jdbc.queryForList("select id from run where id = ?", Long.class, runId).isEmpty()) {
            throw ApiException.notFound("run", runId);
        }
        List<ConsoleLineInput> kept = lines.stream().filter(l -> l.line() < MAX_LINES_PER_RUN).toList();
        int n = kept.size();
        long[] numbers = new long[n];
        String[] streams = new String[n];
        long[] micros = new long[n];
        String[] texts = new String[n];
        long now = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        for (int i = 0; i < n; i++) {
            ConsoleLineInput line = kept.get(i);
            numbers[i] = line.line();
            streams[i] = line.stream().name();
            micros[i] = line.time() == null ? now : ChronoUnit.MICROS.between(Instant.EPOCH, line.time().toInstant());
            texts[i] = line.text();
        }
        int stored = n == 0 ? 0 : jdbc.update(INSERT, runId, numbers, streams, micros, texts);
        if (stored > 0) {
            lifecycle.publish(RunEvent.Type.CONSOLE_APPENDED, runId);  // the run view fetches the new lines
        }
        return new ConsoleLogResult(stored, n - stored, lines.size() - n);
    }

    void saveEnvironment(long runId, String environment) {
        jdbc.update("""
                insert into run_environment (run_id, environment) values (?, ?::jsonb)
                on conflict (run_id) do update set environment = excluded.environment
                """, runId, environment);
    }

    /** The environments (JSON text) of those of the runs that have one, by run id. */
    Map<Long, String> environments(long[] runIds) {
        Map<Long, String> environments = new HashMap<>();
        jdbc.query("select run_id, environment::text from run_environment where run_id = any(?)",
                rs -> {
                    environments.put(rs.getLong(1), rs.getString(2));
                }, (Object) runIds);
        return environments;
    }

    ConsolePage page(long runId, long after, int first, String search, ConsoleStream stream) {
        String streamName = stream == null ? null : stream.name();
        List<ConsoleLine> lines = jdbc.query(PAGE, (rs, i) -> new ConsoleLine(rs.getLong(1),
                ConsoleStream.valueOf(rs.getString(2)), EpochMicros.toTime(rs.getLong(3)), rs.getString(4)),
                runId, after, search, search, streamName, streamName, first + 1);
        Long lastLine = jdbc.queryForObject("select max(line) from console_line where run_id = ?", Long.class, runId);
        boolean hasMore = lines.size() > first;
        return new ConsolePage(hasMore ? lines.subList(0, first) : lines, hasMore, lastLine);
    }
}
