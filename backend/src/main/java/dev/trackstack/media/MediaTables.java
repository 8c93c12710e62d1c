package dev.trackstack.media;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.stereotype.Component;

/**
 * A TableInput checked cell by cell against its columns; the images of IMAGE cells are stored as blobs and kept in
 * the table as {sha256, width, height, format}.
 */
@Component
class MediaTables {

    private static final Set<String> SPECIAL_NUMBERS = Set.of("NaN", "Infinity", "-Infinity");

    /** A checked table and the blobs its cells hold. */
    record Checked(Map<String, Object> payload, List<String> blobs) {
    }

    private final MediaImages images;
    private final MediaProperties limits;
    private final int nameLength;

    MediaTables(MediaImages images, MediaProperties limits, TrackstackProperties properties) {
        this.images = images;
        this.limits = limits;
        this.nameLength = properties.limits().nameLength();
    }

    @SuppressWarnings("unchecked")
    Checked check(Map<String, Object> input) {
        List<Map<String, Object>> columns = (List<Map<String, Object>>) input.get("columns");
        if (columns.isEmpty()) {
            throw ApiException.badInput("table: no columns");
        }
        if (columns.size() > limits.maxColumns()) {
            throw ApiException.limit("table: " + columns.size() + " columns", limits.maxColumns());
        }
        Set<String> names = new HashSet<>();
        List<Map<String, Object>> kept = new ArrayList<>();
        for (Map<String, Object> column : columns) {
            String name = (String) column.get("name");
            if (name.isEmpty() || name.length() > nameLength || !names.add(name)) {
                throw ApiException.badInput("table: column name \"" + name + "\" is empty, longer than " + nameLength
                        + " characters or given twice");
            }
            kept.add(Map.of("name", name, "type", column.get("type")));
        }
        if (!(input.get("rows") instanceof List<?> rows)) {
            throw ApiException.badInput("table: rows must be a JSON array of rows");
        }
        if (rows.size() > limits.maxRows()) {
            throw ApiException.limit("table: " + rows.size() + " rows", limits.maxRows());
        }
        if ((long) rows.size() * columns.size() > limits.maxCells()) {
            throw ApiException.limit("table: " + (long) rows.size() * columns.size() + " cells", limits.maxCells());
        }
        List<String> blobs = new ArrayList<>();
        List<List<Object>> checkedRows = new ArrayList<>(rows.size());
        for (int r = 0; r < rows.size(); r++) {
            if (!(rows.get(r) instanceof List<?> row) || row.size() != columns.size()) {
                throw ApiException.badInput("table: rows[" + r + "] is not an array of " + columns.size()
                        + " cells, one per column");
            }
            List<Object> cells = new ArrayList<>(row.size());
            for (int c = 0; c < row.size(); c++) {
                cells.add(cell(row.get(c), (String) columns.get(c).get("type"), "rows[" + r + "][" + c + "]", blobs));
            }
            checkedRows.add(cells);
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("columns", kept);
        payload.put("rows", checkedRows);
        return new Checked(payload, blobs);
    }

    private Object cell(Object cell, String type, String where, List<String> blobs) {
        if (cell == null) {
            return null;
        }
        switch (type) {
            case "NUMBER" -> {
                if (cell instanceof Number || cell instanceof String s && SPECIAL_NUMBERS.contains(s)) {
                    return cell;
                }
            }
            case "TEXT" -> {
                if (cell instanceof String) {
                    return cell;
                }
            }
            case "IMAGE" -> {
                if (cell instanceof String data) {
                    MediaImages.StoredImage image = images.store(data, "table: " + where);
                    blobs.add(image.sha256());
                    Map<String, Object> stored = new LinkedHashMap<>();
                    stored.put("sha256", image.sha256());
                    stored.put("width", image.width());
                    stored.put("height", image.height());
                    stored.put("format", image.format());
                    return stored;
                }
            }
            default -> throw new IllegalStateException("The schema has no column type " + type);
        }
        throw ApiException.badInput("table: " + where + " is not a " + type + " cell"
                + (type.equals("NUMBER") ? " (a number, \"NaN\", \"Infinity\" or \"-Infinity\")" : "")
                + (type.equals("IMAGE") ? " (an image as base64)" : ""));
    }
}
