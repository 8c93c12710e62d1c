package dev.trackstack.media;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.trackstack.live.LiveEvents;
import dev.trackstack.live.MediaStored;
import dev.trackstack.metric.MetricIngest;
import dev.trackstack.run.RunRepository;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * logMedia: each item is checked alone and its images stored as blobs (each claimed by its own short transaction,
 * as an upload is, so the collector spares it until the items commit); then the good items are written in one
 * transaction, numbered after those already at their (name, step), and subscribers hear of them after the commit.
 */
@Service
public class MediaIngest {

    /** What logMedia answers: how many items it stored, and why it did not store the others. */
    public record Logged(int stored, List<ItemError> errors) {
    }

    /** @param index the item's position in the call; code BAD_USER_INPUT or LIMIT_EXCEEDED */
    public record ItemError(int index, String code, String message) {
    }

    /** An item that passed its checks, ready to be written. */
    private record Checked(int index, String name, long step, MediaKind kind, String caption,
            MediaImages.StoredImage image, String overlays, String payload, List<String> blobs) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final RunRepository runs;
    private final MetricIngest metrics;
    private final LiveEvents live;
    private final MediaImages images;
    private final MediaTables tables;
    private final MediaProperties limits;
    private final JsonMapper json;
    private final int nameLength;

    MediaIngest(JdbcTemplate jdbc, TransactionTemplate transactions, RunRepository runs, MetricIngest metrics,
            LiveEvents live, MediaImages images, MediaTables tables, MediaProperties limits, JsonMapper json,
            TrackstackProperties properties) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.runs = runs;
        this.metrics = metrics;
        this.live = live;
        this.images = images;
        this.tables = tables;
        this.limits = limits;
        this.json = json;
        this.nameLength = properties.limits().nameLength();
    }

    public Logged log(long runId, List<Map<String, Object>> items, String batchId) {
        metrics.checkBatchId(batchId);
        if (items.size() > limits.itemsPerCall()) {
            throw ApiException.limit(items.size() + " items in one call", limits.itemsPerCall());
        }
        String project = runs.findProjectName(runId);
        if (project == null) {
            throw ApiException.notFound("run", runId);
        }
        if (batchId != null) {
            Logged answered = answered(runId, batchId);
            if (answered != null) {
                return answered;  // nothing stored again, not even the images
            }
        }
        List<ItemError> errors = new ArrayList<>();
        List<Checked> checked = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            try {
                checked.add(check(i, items.get(i)));
            } catch (ApiException e) {
                // The item's own fault; anything else (the blob store away) fails the call, to be sent again.
                if (e.code() != ErrorCode.BAD_USER_INPUT && e.code() != ErrorCode.LIMIT_EXCEEDED) {
                    throw e;
                }
                errors.add(new ItemError(i, e.code().name(), e.getMessage()));
            }
        }
        return transactions.execute(status -> write(runId, project, batchId, checked, errors));
    }

    private Logged write(long runId, String project, String batchId, List<Checked> checked,
            List<ItemError> errors) {
        // Key-share lock: a concurrent deleteRuns waits for these items instead of orphaning them.
        if (jdbc.queryForList("select 1 from run where id = ? for key share", runId).isEmpty()) {
            throw ApiException.notFound("run", runId);
        }
        if (batchId != null && jdbc.update("insert into media_batch (run_id, batch_id, errors) values (?, ?, '[]') "
                + "on conflict do nothing", runId, batchId) == 0) {
            return answered(runId, batchId);  // a concurrent call with the batch id committed first
        }
        Map<String, MediaKind> kinds = seriesKinds(runId, checked);
        Map<String, Map<Long, Integer>> next = nextIndexes(runId, checked);
        List<Object[]> rows = new ArrayList<>();
        List<Object[]> blobs = new ArrayList<>();
        List<MediaStored.Item> stored = new ArrayList<>();
        for (Checked item : checked) {
            MediaKind kind = kinds.get(item.name());
            if (kind != item.kind()) {
                errors.add(new ItemError(item.index(), ErrorCode.BAD_USER_INPUT.name(), "\"" + item.name()
                        + "\" holds " + kind + " items: a " + item.kind() + " needs a name of its own"));
                continue;
            }
            Map<Long, Integer> steps = next.get(item.name());
            int index = steps.get(item.step());
            if (index >= limits.itemsPerStep()) {
                errors.add(new ItemError(item.index(), ErrorCode.LIMIT_EXCEEDED.name(), "\"" + item.name()
                        + "\" at step " + item.step() + " holds " + index + " items: the limit is "
                        + limits.itemsPerStep()));
                continue;
            }
            steps.put(item.step(), index + 1);
            MediaImages.StoredImage image = item.image();
            rows.add(new Object[] {runId, item.name(), item.step(), index, item.kind().name(), item.caption(),
                    image == null ? null : image.sha256(), image == null ? null : image.format(),
                    image == null ? null : image.width(), image == null ? null : image.height(),
                    image == null ? null : image.bytes(), item.overlays(), item.payload()});
            for (String sha256 : item.blobs()) {
                blobs.add(new Object[] {runId, item.name(), item.step(), index, sha256});
            }
            stored.add(new MediaStored.Item(item.name(), item.step(), item.kind().name()));
        }
        // The blobs are held FOR SHARE until the commit, as logArtifact holds its files': the collector passes over them.
        jdbc.queryForList("select 1 from blob where sha256 = any(?) for share", (Object) blobs.stream()
                .map(row -> (String) row[4]).distinct().toArray(String[]::new));
        jdbc.batchUpdate("""
                insert into media_item (run_id, name, step, idx, kind, caption, sha256, format, width, height, bytes,
                                        overlays, payload)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)""", rows);
        jdbc.batchUpdate("insert into media_blob (run_id, name, step, idx, sha256) values (?, ?, ?, ?, ?) "
                + "on conflict do nothing", blobs);
        errors.sort(Comparator.comparingInt(ItemError::index));
        if (batchId != null) {
            jdbc.update("update media_batch set errors = ?::jsonb where run_id = ? and batch_id = ?",
                    json.writeValueAsString(errors), runId, batchId);
        }
        if (!stored.isEmpty()) {
            live.mediaStored(new MediaStored(runId, project, stored));
        }
        return new Logged(stored.size(), errors);
    }

    /** The first call's answer to a batch id: its errors, and nothing stored this time. */
    private Logged answered(long runId, String batchId) {
        List<String> errors = jdbc.queryForList("select errors::text from media_batch where run_id = ? and batch_id = ?",
                String.class, runId, batchId);
        return errors.isEmpty() ? null
                : new Logged(0, json.readValue(errors.get(0), new TypeReference<List<ItemError>>() { }));
    }

    /**
     * The kind of each name the items use: the series' own, or for a new series its first item's. The series rows
     * are locked, in name order against deadlocks, so that concurrent calls to a series number their items in turn.
     */
    private Map<String, MediaKind> seriesKinds(long runId, List<Checked> checked) {
        Map<String, MediaKind> first = new LinkedHashMap<>();
        checked.forEach(item -> first.putIfAbsent(item.name(), item.kind()));
        String[] names = first.keySet().toArray(String[]::new);
        jdbc.update("""
                insert into media_series (run_id, name, kind)
                select ?, k.name, k.kind from unnest(?::text[], ?::text[]) as k(name, kind)
                on conflict do nothing""", runId, names,
                first.values().stream().map(MediaKind::name).toArray(String[]::new));
        Map<String, MediaKind> kinds = new HashMap<>();
        jdbc.query("select name, kind from media_series where run_id = ? and name = any(?) order by name "
                + "for no key update", rs -> {
                    kinds.put(rs.getString(1), MediaKind.valueOf(rs.getString(2)));
                }, runId, names);
        return kinds;
    }

    /** Per name and step the items' next index: how many are there already. */
    private Map<String, Map<Long, Integer>> nextIndexes(long runId, List<Checked> checked) {
        Map<String, Map<Long, Integer>> next = new HashMap<>();
        String[] names = checked.stream().map(Checked::name).toArray(String[]::new);
        Long[] steps = checked.stream().map(Checked::step).toArray(Long[]::new);
        jdbc.query("""
                select k.name, k.step, (select count(*) from media_item i
                                        where i.run_id = ? and i.name = k.name and i.step = k.step)
                from (select distinct * from unnest(?::text[], ?::bigint[])) as k(name, step)""", rs -> {
                    next.computeIfAbsent(rs.getString(1), name -> new HashMap<>()).put(rs.getLong(2), rs.getInt(3));
                }, runId, names, steps);
        return next;
    }

    @SuppressWarnings("unchecked")
    private Checked check(int index, Map<String, Object> item) {
        String name = (String) item.get("name");
        long step = (Long) item.get("step");
        String caption = (String) item.get("caption");
        if (name.isEmpty()) {
            throw ApiException.badInput("name is empty");
        }
        if (name.length() > nameLength) {
            throw ApiException.limit("A name of " + name.length() + " characters", nameLength);
        }
        if (step < 0) {
            throw ApiException.badInput("step " + step + " is negative");
        }
        if (caption != null && caption.length() > limits.maxCaptionChars()) {
            throw ApiException.limit("A caption of " + caption.length() + " characters", limits.maxCaptionChars());
        }
        List<MediaKind> given = new ArrayList<>();
        for (MediaKind kind : MediaKind.values()) {
            if (item.get(kind.name().toLowerCase(Locale.ROOT)) != null) {
                given.add(kind);
            }
        }
        if (given.size() != 1) {
            throw ApiException.badInput("Give exactly one of image, histogram, table or text (this item gives "
                    + (given.isEmpty() ? "none" : given.toString()) + ")");
        }
        MediaKind kind = given.get(0);
        Map<String, Object> input = (Map<String, Object>) item.get(kind.name().toLowerCase(Locale.ROOT));
        return switch (kind) {
            case IMAGE -> {
                String overlays = overlays(input.get("overlays"));
                MediaImages.StoredImage image = images.store((String) input.get("data"), "image");
                yield new Checked(index, name, step, kind, caption, image, overlays, null, List.of(image.sha256()));
            }
            case HISTOGRAM -> {
                MediaItem.Histogram histogram = MediaHistograms.of(input, limits.maxBins());
                yield new Checked(index, name, step, kind, caption, null, null,
                        json.writeValueAsString(Map.of("edges", histogram.edges(), "counts", histogram.counts())),
                        List.of());
            }
            case TABLE -> {
                MediaTables.Checked table = tables.check(input);
                yield new Checked(index, name, step, kind, caption, null, null,
                        json.writeValueAsString(table.payload()), table.blobs());
            }
            case TEXT -> {
                String content = (String) input.get("content");
                if (content.length() > limits.maxTextChars()) {
                    throw ApiException.limit("A text of " + content.length() + " characters", limits.maxTextChars());
                }
                Object format = input.get("format");
                yield new Checked(index, name, step, kind, caption, null, null, json.writeValueAsString(
                        Map.of("format", format == null ? "PLAIN" : format, "content", content)), List.of());
            }
        };
    }

    private String overlays(Object overlays) {
        if (overlays == null) {
            return null;
        }
        if (!(overlays instanceof Map)) {
            throw ApiException.badInput("image: overlays must be a JSON object ({\"boxes\": [...], \"masks\": [...]})");
        }
        String text = json.writeValueAsString(overlays);
        if (text.length() > limits.maxOverlaysChars()) {
            throw ApiException.limit("image: overlays of " + text.length() + " characters", limits.maxOverlaysChars());
        }
        return text;
    }
}
