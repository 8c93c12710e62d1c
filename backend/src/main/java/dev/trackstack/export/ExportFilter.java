package dev.trackstack.export;

import java.util.List;

/**
 * What an export covers: a project's runs, narrowed by run ids, a model name, series names and a split (null or
 * empty: not narrowed). Ids that cannot be ours match nothing.
 */
record ExportFilter(long projectId, long[] runIds, String model, List<String> names, String split) {

    /** The SQL condition on runs r, models m and (when {@code series}) series s, and its arguments in order. */
    String where(boolean series, List<Object> arguments) {
        StringBuilder where = new StringBuilder("m.project_id = ?");
        arguments.add(projectId);
        if (runIds != null) {
            where.append(" and r.id = any(?)");
            arguments.add(runIds);
        }
        if (model != null) {
            where.append(" and m.name = ?");
            arguments.add(model);
        }
        if (series && names != null && !names.isEmpty()) {
            where.append(" and s.name = any(?)");
            arguments.add(names.toArray(String[]::new));
        }
        if (series && split != null) {
            where.append(" and s.split = ?");
            arguments.add(split);
        }
        return where.toString();
    }
}
