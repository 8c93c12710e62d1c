package dev.trackstack.system;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The opaque cursors of the paged connections (runs, traces): the offset of the row after which a page starts. */
public final class OffsetCursor {

    private OffsetCursor() {
    }

    public static String encode(int offset) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("offset:" + offset).getBytes(StandardCharsets.UTF_8));
    }

    public static int decode(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int offset = Integer.parseInt(text.substring("offset:".length()));
            if (!text.startsWith("offset:") || offset < 0) {
                throw new IllegalArgumentException(text);
            }
            return offset;
        } catch (RuntimeException e) {
            throw ApiException.badInput("Invalid cursor: " + cursor);
        }
    }
}
