package dev.trackstack.eval;

import java.util.HexFormat;
import java.util.List;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.CanonicalJson;
import dev.trackstack.system.Sha256;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** JSON values of items and results: canonical text, content ids, size limits, and trace and span ids in hex. */
@Component
class EvalJson {

    private static final HexFormat HEX = HexFormat.of();

    private final JsonMapper json;
    private final int maxChars;

    EvalJson(JsonMapper json, TrackstackProperties properties) {
        this.json = json;
        this.maxChars = properties.limits().evalJsonBytes();
    }

    /** The value as JSON text with object keys sorted at every depth and no whitespace; "null" for null. */
    String canonical(Object value) {
        return json.writeValueAsString(CanonicalJson.sorted(value));
    }

    /** The canonical text, refused when it is longer than the limit. */
    String checkedCanonical(String what, Object value) {
        String text = canonical(value);
        if (text.length() > maxChars) {
            throw ApiException.limit(what + " of " + text.length() + " characters of JSON", maxChars);
        }
        return text;
    }

    /** An item's id: the hex SHA-256 of {"expected":…,"input":…,"metadata":…} in canonical JSON. */
    static String contentId(String input, String expected, String metadata) {
        String content = "{\"expected\":" + expected + ",\"input\":" + input + ",\"metadata\":" + metadata + "}";
        return HEX.formatHex(Sha256.of(content));
    }

    Object parse(String text) {
        return text == null ? null : json.readValue(text, Object.class);
    }

    /** A trace (32 hex digits) or span (16) id as bytes; null stays null. */
    static byte[] hexId(String what, String id, int digits) {
        if (id == null) {
            return null;
        }
        if (id.length() != digits || !id.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw ApiException.badInput(what + " must be " + digits + " hex digits, got " + id);
        }
        return HEX.parseHex(id);
    }

    static String hex(byte[] bytes) {
        return bytes == null ? null : HEX.formatHex(bytes);
    }
}
