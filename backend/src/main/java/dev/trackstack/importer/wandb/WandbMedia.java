package dev.trackstack.importer.wandb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.trackstack.importer.ImportSink;
import dev.trackstack.importer.ImportSink.RunHandle;
import tools.jackson.databind.JsonNode;

/**
 * The media values of a run file's history as logMedia items: image-file (the image under the run directory's
 * files/, its boxes2D files and masks as overlays), histogram (W&B's counts in "values", its edges in "bins") and table-file (the table's JSON under files/).
 * Other kinds, and values that name no file, are left to the unmapped counts; a file that cannot be read leaves its
 * item out with a line saying which.
 */
final class WandbMedia {

    /** Items per call within logMedia's limit (256), and base64 characters: a few MB in memory at a time. */
    private static final int ITEMS_PER_CALL = 64;
    private static final long CHARS_PER_CALL = 8 << 20;

    /**
     * A mask's base64 PNG within the overlays' limit (trackstack.media.max-overlays-chars, 65,536 by default) beside
     * the boxes: class masks compress well, a larger one would cost the image itself.
     */
    private static final int MASK_CHARS = 48 << 10;

    private final Path files;
    private final String id;
    private final ImportSink sink;
    private final RunHandle handle;
    private final Set<String> read = new TreeSet<>();
    private List<Map<String, Object>> items = new ArrayList<>();
    private long chars;

    /** A file that cannot be read, for the unmapped line of its item. */
    private static final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message, null, false, false);
        }
    }

    WandbMedia(Path files, String id, ImportSink sink, RunHandle handle) {
        this.files = files;
        this.id = id;
        this.sink = sink;
        this.handle = handle;
    }

    /** Takes the value of a history row as an item at the step; false when it is no media value this maps. */
    boolean take(String name, long step, JsonNode value) {
        String type = value.path("_type").asString("");
        boolean mapped = switch (type) {
            case "image-file", "table-file" -> value.path("path").isString();
            case "histogram" -> value.path("values").isArray()
                    && (value.path("bins").isArray() || value.path("packedBins").isObject());
            default -> false;
        };
        if (!mapped) {
            return false;
        }
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("name", name);
        item.put("step", step);
        try {
            switch (type) {
                case "image-file" -> {
                    if (value.path("caption").isString()) {
                        item.put("caption", value.get("caption").asString());
                    }
                    Map<String, Object> image = new LinkedHashMap<>(Map.of("data", image(value)));
                    Map<String, Object> overlays = overlays(value);
                    if (!overlays.isEmpty()) {
                        image.put("overlays", overlays);
                    }
                    item.put("image", image);
                }
                case "histogram" -> item.put("histogram", Map.of("edges", edges(value), "counts",
                        numbers(value.get("values"))));
                default -> item.put("table", table(value));
            }
        } catch (Unreadable e) {
            sink.unmapped("run " + id + ": history \"" + name + "\" at step " + step + ": " + type
                    + " not imported (" + e.getMessage() + ")");
            return true;
        }
        items.add(item);
        if (items.size() >= ITEMS_PER_CALL || chars >= CHARS_PER_CALL) {
            flush();
        }
        return true;
    }

    void flush() {
        if (!items.isEmpty()) {
            sink.media(handle, items);
            items = new ArrayList<>();
            chars = 0;
        }
    }

    /** The files under files/ read into items, relative to it, for the unmapped list of the other files. */
    Set<String> read() {
        return read;
    }

    private String image(JsonNode value) throws Unreadable {
        String data = Base64.getEncoder().encodeToString(file(value.get("path").asString()));
        chars += data.length();
        return data;
    }

    /**
     * W&B's boxes2D and mask files of an image as overlays: {"boxes": [...], "masks": [...]}, boxes of every group
     * (e.g. "predictions" and "ground_truth") in fractions of the image, labelled by their caption or class.
     */
    private Map<String, Object> overlays(JsonNode image) throws Unreadable {
        List<Map<String, Object>> boxes = new ArrayList<>();
        for (JsonNode group : image.path("boxes")) {
            JsonNode file = json(group.path("path").asString(""));
            JsonNode labels = file.path("class_labels");
            for (JsonNode box : file.path("box_data")) {
                Map<String, Object> overlay = box(box, image.path("width").asDouble(0), image.path("height").asDouble(0));
                if (overlay == null) {
                    continue;
                }
                JsonNode label = box.path("box_caption").isString() ? box.get("box_caption")
                        : labels.path(box.path("class_id").asString(""));
                if (label.isString()) {
                    overlay.put("label", label.asString());
                }
                if (box.path("scores").isObject() && !box.get("scores").isEmpty()) {
                    overlay.put("score", box.get("scores").values().iterator().next().asDouble());
                }
                boxes.add(overlay);
            }
        }
        List<Map<String, Object>> masks = new ArrayList<>();
        for (JsonNode mask : image.path("masks")) {
            String data = image(mask);
            if (data.length() > MASK_CHARS) {
                sink.unmapped("run " + id + ": " + mask.path("path").asString() + ": a mask over " + MASK_CHARS
                        + " characters of base64, left out of its image's overlays");
                continue;
            }
            Map<String, Object> classes = new LinkedHashMap<>();
            mask.path("class_labels").properties().forEach(e -> classes.put(e.getKey(), e.getValue().asString()));
            masks.add(Map.of("data", data, "classes", classes));
        }
        Map<String, Object> overlays = new LinkedHashMap<>();
        if (!boxes.isEmpty()) {
            overlays.put("boxes", boxes);
        }
        if (!masks.isEmpty()) {
            overlays.put("masks", masks);
        }
        return overlays;
    }

    /**
     * A box's x, y, width and height as fractions of the image: W&B's position is {minX, maxX, minY, maxY} or
     * {middle: [x, y], width, height}, as fractions, or in pixels with domain "pixel"; null when it is neither.
     */
    private static Map<String, Object> box(JsonNode box, double imageWidth, double imageHeight) {
        JsonNode position = box.path("position");
        boolean pixels = "pixel".equals(box.path("domain").asString(""));
        if (pixels && (imageWidth <= 0 || imageHeight <= 0)) {
            return null;
        }
        double x;
        double y;
        double width;
        double height;
        if (position.has("minX")) {
            x = position.path("minX").asDouble();
            y = position.path("minY").asDouble();
            width = position.path("maxX").asDouble() - x;
            height = position.path("maxY").asDouble() - y;
        } else if (position.path("middle").size() == 2) {
            width = position.path("width").asDouble();
            height = position.path("height").asDouble();
            x = position.get("middle").get(0).asDouble() - width / 2;
            y = position.get("middle").get(1).asDouble() - height / 2;
        } else {
            return null;
        }
        double scaleX = pixels ? imageWidth : 1;
        double scaleY = pixels ? imageHeight : 1;
        return new LinkedHashMap<>(Map.of("x", x / scaleX, "y", y / scaleY, "width", width / scaleX,
                "height", height / scaleY));
    }

    private JsonNode json(String path) throws Unreadable {
        return WandbValues.parse(new String(file(path), StandardCharsets.UTF_8));
    }

    /** The n+1 edges: "bins" as logged, or the even bins of "packedBins" (min, size, count) as W&B's server has them. */
    private static List<Double> edges(JsonNode histogram) {
        if (histogram.path("bins").isArray()) {
            return numbers(histogram.get("bins"));
        }
        JsonNode packed = histogram.get("packedBins");
        List<Double> edges = new ArrayList<>();
        for (int i = 0; i <= packed.path("count").asInt(); i++) {
            edges.add(packed.path("min").asDouble() + i * packed.path("size").asDouble());
        }
        return edges;
    }

    private static List<Double> numbers(JsonNode array) {
        List<Double> numbers = new ArrayList<>();
        array.forEach(number -> numbers.add(number.asDouble()));
        return numbers;
    }

    /**
     * A table file {"columns": [...], "data": [[...]]}: a column of numbers is NUMBER, of images IMAGE, of strings
     * TEXT; a column of other or mixed cells is TEXT, each cell its JSON text (strings as they are). Nulls anywhere.
     */
    private Map<String, Object> table(JsonNode value) throws Unreadable {
        String path = value.get("path").asString();
        JsonNode table = json(path);
        if (!table.path("columns").isArray() || !table.path("data").isArray()) {
            throw new Unreadable(path + " is no table (no \"columns\" and \"data\")");
        }
        List<String> columns = new ArrayList<>();
        table.get("columns").forEach(column -> columns.add(column.isString() ? column.asString() : column.toString()));
        List<String> types = new ArrayList<>();
        for (int c = 0; c < columns.size(); c++) {
            types.add(columnType(table.get("data"), c));
        }
        List<List<Object>> rows = new ArrayList<>();
        for (JsonNode row : table.get("data")) {
            List<Object> cells = new ArrayList<>();
            for (int c = 0; c < columns.size(); c++) {
                JsonNode cell = row.path(c);
                cells.add(cell.isNull() || cell.isMissingNode() ? null : switch (types.get(c)) {
                    case "NUMBER" -> Double.isFinite(cell.asDouble()) ? (Object) cell.asDouble()
                            : Double.toString(cell.asDouble());
                    case "IMAGE" -> image(cell);
                    default -> cell.isString() ? cell.asString() : cell.toString();
                });
            }
            rows.add(cells);
        }
        List<Map<String, Object>> columnInputs = new ArrayList<>();
        for (int c = 0; c < columns.size(); c++) {
            columnInputs.add(Map.of("name", columns.get(c), "type", types.get(c)));
        }
        return Map.of("columns", columnInputs, "rows", rows);
    }

    /** NUMBER, IMAGE or TEXT: the one kind of the column's cells that are not null, TEXT when mixed or other. */
    private static String columnType(JsonNode data, int column) {
        String type = null;
        for (JsonNode row : data) {
            JsonNode cell = row.path(column);
            if (cell.isNull() || cell.isMissingNode()) {
                continue;
            }
            String cellType = cell.isNumber() ? "NUMBER"
                    : cell.path("_type").asString("").equals("image-file") && cell.path("path").isString() ? "IMAGE"
                    : "TEXT";
            if (type != null && !type.equals(cellType)) {
                return "TEXT";
            }
            type = cellType;
        }
        return type == null ? "TEXT" : type;
    }

    /** A file under files/ by its path there; one that is not under it, missing or unreadable is Unreadable. */
    private byte[] file(String path) throws Unreadable {
        Path file = files.resolve(path).normalize();
        if (!file.startsWith(files.normalize())) {
            throw new Unreadable(path + " is not under files/");
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            read.add(path);
            return bytes;
        } catch (IOException e) {
            throw new Unreadable("files/" + path + " could not be read: " + (e instanceof NoSuchFileException
                    ? "no such file" : e.getMessage()));
        }
    }
}
