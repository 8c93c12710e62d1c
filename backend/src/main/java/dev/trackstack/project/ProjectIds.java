package dev.trackstack.project;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Project ids by name, for what makes its project on first use (createModel, OTLP spans, savePrompt, datasets, score configs). */
@Component
public class ProjectIds {

    private final JdbcTemplate jdbc;

    ProjectIds(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Get-or-create; insert … on conflict makes concurrent first calls agree on one row. */
    public long getOrCreate(String name) {
        jdbc.update("insert into project (name, created_at) values (?, now()) on conflict (name) do nothing", name);
        return jdbc.queryForObject("select id from project where name = ?", Long.class, name);
    }
}
