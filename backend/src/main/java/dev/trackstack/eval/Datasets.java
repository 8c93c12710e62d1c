package dev.trackstack.eval;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.trackstack.eval.DatasetRecords.Dataset;
import dev.trackstack.eval.DatasetRecords.DatasetChange;
import dev.trackstack.eval.DatasetRecords.DatasetItem;
import dev.trackstack.eval.DatasetRecords.DatasetVersion;
import dev.trackstack.eval.DatasetRecords.NewItem;
import dev.trackstack.project.ProjectIds;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Datasets and their immutable versions. A change locks the dataset's row, so that concurrent changes of one dataset
 * take turns and each makes its version from the one before.
 */
@Service
class Datasets {

    static final String VERSION_COLUMNS = "v.id, v.dataset_id, v.version, v.description, v.created_at, v.item_count,"
            + " v.added_count, v.removed_count";
    static final String ITEM_COLUMNS = "i.id, i.content_hash, i.input::text, i.expected::text, i.metadata::text,"
            + " i.source_trace_id, i.source_span_id, i.created_at";

    private final JdbcTemplate jdbc;
    private final EvalJson json;
    private final ProjectIds projectIds;
    private final TrackstackProperties.Limits limits;

    Datasets(JdbcTemplate jdbc, EvalJson json, ProjectIds projectIds, TrackstackProperties properties) {
        this.jdbc = jdbc;
        this.projectIds = projectIds;
        this.json = json;
        this.limits = properties.limits();
    }

    /** Items as given (checked against the limits), in canonical JSON with their content ids. */
    List<NewItem> newItems(List<Map<String, Object>> items) {
        checkCount(items.size());
        List<NewItem> checked = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Map<String, Object> item = items.get(i);
            String what = "items[" + i + "]";
            if (item.get("input") == null) {
                throw ApiException.badInput(what + ".input must not be null");
            }
            String input = json.canonical(item.get("input"));
            String expected = json.canonical(item.get("expected"));
            String metadata = json.canonical(item.get("metadata"));
            int size = input.length() + expected.length() + metadata.length();
            if (size > limits.evalJsonBytes()) {
                throw ApiException.limit(what + " of " + size + " characters of JSON", limits.evalJsonBytes());
            }
            byte[] trace = EvalJson.hexId(what + ".sourceTraceId", (String) item.get("sourceTraceId"), 32);
            byte[] span = EvalJson.hexId(what + ".sourceSpanId", (String) item.get("sourceSpanId"), 16);
            if ((trace == null) != (span == null)) {
                throw ApiException.badInput(what + ": sourceTraceId and sourceSpanId go together");
            }
            checked.add(new NewItem(EvalJson.contentId(input, expected, metadata), input, expected, metadata, trace,
                    span));
        }
        return checked;
    }

    /** Adds the items not yet in the latest version as a new version; answers the latest when none is new. */
    @Transactional
    DatasetChange add(String project, String dataset, List<NewItem> items, String description) {
        checkName("project", project);
        checkName("dataset", dataset);
        if (description != null && description.length() > limits.notesLength()) {
            throw ApiException.limit("description of " + description.length() + " characters", limits.notesLength());
        }
        long projectId = projectIds.getOrCreate(project);
        jdbc.update("insert into eval_dataset (project_id, name) values (?, ?) on conflict do nothing",
                projectId, dataset);
        long datasetId = lockDataset(projectId, dataset);
        storeItems(projectId, items);
        Map<String, Long> keys = itemKeys(projectId, items.stream().map(NewItem::id).toList());
        DatasetVersion latest = latest(datasetId);
        Set<Long> present = latest == null ? Set.of() : presentIn(latest.key(), keys.values());
        List<Long> added = new ArrayList<>(new LinkedHashSet<>(items.stream().map(i -> keys.get(i.id()))
                .filter(key -> !present.contains(key)).toList()));
        List<String> ids = items.stream().map(NewItem::id).toList();
        if (added.isEmpty() && latest != null) {
            return new DatasetChange(latest, false, ids);
        }
        int before = latest == null ? 0 : latest.itemCount();
        long version = newVersion(datasetId, latest, description, before + added.size(), added.size(), 0);
        if (latest != null) {
            jdbc.update("insert into eval_dataset_version_item (version_id, item_id, position) "
                    + "select ?, item_id, position from eval_dataset_version_item where version_id = ?",
                    version, latest.key());
        }
        jdbc.update("""
                insert into eval_dataset_version_item (version_id, item_id, position)
                select ?, a.item_id, ? + a.n - 1 from unnest(?::bigint[]) with ordinality as a(item_id, n)
                """, version, before, added.toArray(Long[]::new));
        return new DatasetChange(version(version), true, ids);
    }

    /** A new version without the items; answers the latest when none of them is in it. */
    @Transactional
    DatasetChange remove(String project, String dataset, List<String> itemIds) {
        checkCount(itemIds.size());
        Long datasetId = jdbc.query("select d.id from eval_dataset d join project p on p.id = d.project_id "
                + "where p.name = ? and d.name = ? for update of d", (rs, i) -> rs.getLong(1), project, dataset)
                .stream().findFirst().orElseThrow(() -> new ApiException(
                        ErrorCode.NOT_FOUND, "No dataset " + dataset + " in project " + project));
        DatasetVersion latest = latest(datasetId);
        List<Map<String, Object>> removed = latest == null ? List.of() : jdbc.queryForList("""
                select vi.item_id, i.content_hash from eval_dataset_version_item vi
                join eval_item i on i.id = vi.item_id
                where vi.version_id = ? and i.content_hash = any(?)
                """, latest.key(), itemIds.toArray(String[]::new));
        if (removed.isEmpty()) {
            return new DatasetChange(latest, false, List.of());
        }
        Long[] gone = removed.stream().map(r -> (Long) r.get("item_id")).toArray(Long[]::new);
        long version = newVersion(datasetId, latest, null, latest.itemCount() - gone.length, 0, gone.length);
        jdbc.update("""
                insert into eval_dataset_version_item (version_id, item_id, position)
                select ?, item_id, (row_number() over (order by position) - 1)::int from eval_dataset_version_item
                where version_id = ? and item_id <> all(?)
                """, version, latest.key(), gone);
        return new DatasetChange(version(version), true,
                removed.stream().map(r -> (String) r.get("content_hash")).toList());
    }

    List<DatasetVersion> versions(long datasetId) {
        return jdbc.query("select " + VERSION_COLUMNS + " from eval_dataset_version v where v.dataset_id = ?"
                + " order by v.version desc", VERSION, datasetId);
    }

    DatasetVersion version(long id) {
        return jdbc.query("select " + VERSION_COLUMNS + " from eval_dataset_version v where v.id = ?", VERSION, id)
                .stream().findFirst().orElse(null);
    }

    DatasetVersion latest(long datasetId) {
        return jdbc.query("select " + VERSION_COLUMNS + " from eval_dataset_version v where v.dataset_id = ?"
                + " order by v.version desc limit 1", VERSION, datasetId).stream().findFirst().orElse(null);
    }

    Dataset dataset(long id) {
        return jdbc.query("select d.id, p.name, d.name, d.created_at from eval_dataset d join project p"
                + " on p.id = d.project_id where d.id = ?", DATASET, id).stream().findFirst().orElse(null);
    }

    Dataset dataset(String project, String name) {
        return jdbc.query("select d.id, p.name, d.name, d.created_at from eval_dataset d join project p"
                + " on p.id = d.project_id where p.name = ? and d.name = ?", DATASET, project, name)
                .stream().findFirst().orElse(null);
    }

    /** Items by their row keys. */
    Map<Long, DatasetItem> items(Long[] keys) {
        Map<Long, DatasetItem> items = new HashMap<>();
        jdbc.query("select " + ITEM_COLUMNS + " from eval_item i where i.id = any(?)", rs -> {
            DatasetItem item = item(rs);
            items.put(item.key(), item);
        }, (Object) keys);
        return items;
    }

    DatasetItem item(ResultSet rs) throws SQLException {
        return new DatasetItem(rs.getString(2), rs.getLong(1), json.parse(rs.getString(3)),
                json.parse(rs.getString(4)), json.parse(rs.getString(5)), EvalJson.hex(rs.getBytes(6)),
                EvalJson.hex(rs.getBytes(7)), rs.getObject(8, OffsetDateTime.class));
    }

    static final RowMapper<DatasetVersion> VERSION = (rs, i) -> new DatasetVersion(rs.getString(1), rs.getLong(1),
            rs.getLong(2), rs.getInt(3), rs.getString(4), rs.getObject(5, OffsetDateTime.class), rs.getInt(6),
            rs.getInt(7), rs.getInt(8));

    static final RowMapper<Dataset> DATASET = (rs, i) -> new Dataset(rs.getString(1), rs.getLong(1),
            rs.getString(2), rs.getString(3), rs.getObject(4, OffsetDateTime.class));

    private long lockDataset(long projectId, String dataset) {
        return jdbc.queryForObject("select id from eval_dataset where project_id = ? and name = ? for update",
                Long.class, projectId, dataset);
    }

    /** New content becomes items; content already in the project keeps its row (and its first source). */
    private void storeItems(long projectId, List<NewItem> items) {
        jdbc.update("""
                insert into eval_item (project_id, content_hash, input, expected, metadata, source_trace_id,
                                       source_span_id)
                select ?, n.id, n.input::jsonb, nullif(n.expected, 'null')::jsonb, nullif(n.metadata, 'null')::jsonb,
                       n.trace, n.span
                from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bytea[], ?::bytea[])
                     as n(id, input, expected, metadata, trace, span)
                order by n.id
                on conflict (project_id, content_hash) do nothing
                """, projectId, items.stream().map(NewItem::id).toArray(String[]::new),
                items.stream().map(NewItem::input).toArray(String[]::new),
                items.stream().map(NewItem::expected).toArray(String[]::new),
                items.stream().map(NewItem::metadata).toArray(String[]::new),
                items.stream().map(NewItem::sourceTraceId).toArray(byte[][]::new),
                items.stream().map(NewItem::sourceSpanId).toArray(byte[][]::new));
    }

    private Map<String, Long> itemKeys(long projectId, List<String> ids) {
        Map<String, Long> keys = new LinkedHashMap<>();
        jdbc.query("select content_hash, id from eval_item where project_id = ? and content_hash = any(?)",
                rs -> {
                    keys.put(rs.getString(1), rs.getLong(2));
                }, projectId, ids.toArray(String[]::new));
        return keys;
    }

    private Set<Long> presentIn(long versionId, Collection<Long> keys) {
        return Set.copyOf(jdbc.queryForList("select item_id from eval_dataset_version_item where version_id = ?"
                + " and item_id = any(?)", Long.class, versionId, keys.toArray(Long[]::new)));
    }

    private long newVersion(long datasetId, DatasetVersion latest, String description, int count, int added,
            int removed) {
        return jdbc.queryForObject("""
                insert into eval_dataset_version (dataset_id, version, description, item_count, added_count,
                                                  removed_count)
                values (?, ?, ?, ?, ?, ?) returning id
                """, Long.class, datasetId, latest == null ? 1 : latest.version() + 1, description, count, added,
                removed);
    }

    void checkCount(int count) {
        if (count > limits.evalItemsPerCall()) {
            throw ApiException.limit(count + " items in one call", limits.evalItemsPerCall());
        }
    }

    private void checkName(String what, String name) {
        if (name == null || name.isBlank() || name.length() > limits.nameLength()) {
            throw ApiException.badInput(what + " must be 1 to " + limits.nameLength() + " characters");
        }
    }
}
