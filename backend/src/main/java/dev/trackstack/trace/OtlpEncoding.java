package dev.trackstack.trace;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import org.springframework.http.MediaType;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The two encodings of OTLP/HTTP, chosen by Content-Type: binary protobuf, and OTLP JSON, which is the protobuf
 * JSON mapping with two differences that matter here: trace and span ids are hex instead of base64, and unknown
 * fields are ignored. The answer goes back in the request's encoding.
 */
enum OtlpEncoding {

    PROTOBUF(MediaType.parseMediaType("application/x-protobuf")),
    JSON(MediaType.APPLICATION_JSON);

    /** The fields of OTLP messages that hold trace and span ids, which OTLP JSON writes in hex. */
    private static final Set<String> ID_FIELDS = Set.of("traceId", "spanId", "parentSpanId");

    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

    private final MediaType mediaType;

    OtlpEncoding(MediaType mediaType) {
        this.mediaType = mediaType;
    }

    MediaType mediaType() {
        return mediaType;
    }

    /** The encoding of a Content-Type (parameters such as charset aside); null for any other type. */
    static OtlpEncoding of(String contentType) {
        if (contentType == null) {
            return null;
        }
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            for (OtlpEncoding encoding : values()) {
                if (encoding.mediaType.equalsTypeAndSubtype(type)) {
                    return encoding;
                }
            }
        } catch (IllegalArgumentException e) {
            // not a media type at all
        }
        return null;
    }

    /** Reads a whole request into the builder; a body that is not a message of its type is BAD_REQUEST. */
    void read(byte[] body, Message.Builder builder, JsonMapper json) {
        try {
            if (this == PROTOBUF) {
                builder.mergeFrom(body);
            } else {
                JsonNode tree = json.readTree(body);
                hexIdsToBase64(tree);
                PARSER.merge(json.writeValueAsString(tree), builder);
            }
        } catch (InvalidProtocolBufferException | JacksonException e) {
            throw OtlpException.badRequest("The body is not a valid OTLP " + name() + " "
                    + builder.getDescriptorForType().getName() + ": " + e.getMessage());
        }
    }

    byte[] write(Message message) {
        if (this == PROTOBUF) {
            return message.toByteArray();
        }
        try {
            return PRINTER.print(message).getBytes(StandardCharsets.UTF_8);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("Cannot print " + message.getDescriptorForType().getName(), e);
        }
    }

    /** JsonFormat reads bytes fields as base64: the hex ids of OTLP JSON are rewritten so, wherever they are. */
    private static void hexIdsToBase64(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                if (ID_FIELDS.contains(field.getKey()) && field.getValue().isString()) {
                    object.put(field.getKey(), base64(field.getKey(), field.getValue().asString()));
                } else {
                    hexIdsToBase64(field.getValue());
                }
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                hexIdsToBase64(element);
            }
        }
    }

    private static String base64(String field, String hex) {
        try {
            return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw OtlpException.badRequest("OTLP JSON carries " + field + " in hex (as \"5b8efff798038103d269b633"
                    + "813fc60c\"), not \"" + abbreviate(hex) + "\"");
        }
    }

    static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "…";
    }
}
