package dev.trackstack.web;

import java.io.IOException;
import java.util.List;

import org.springframework.graphql.server.support.SerializableGraphQlRequest;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;

/**
 * Reads the body of a GraphQL request as the JSON converter does, except that a body of JSON {@code null} is not
 * readable (400, see {@link MalformedRequests}): Spring for GraphQL would take the null for a request and fail on
 * it with a NullPointerException (500).
 */
final class GraphQlRequestBody implements HttpMessageConverter<SerializableGraphQlRequest> {

    private final JacksonJsonHttpMessageConverter json;

    GraphQlRequestBody(JacksonJsonHttpMessageConverter json) {
        this.json = json;
    }

    @Override
    public boolean canRead(Class<?> type, MediaType mediaType) {
        return type == SerializableGraphQlRequest.class && json.canRead(type, mediaType);
    }

    @Override
    public boolean canWrite(Class<?> type, MediaType mediaType) {
        return false;
    }

    @Override
    public List<MediaType> getSupportedMediaTypes() {
        return json.getSupportedMediaTypes();
    }

    @Override
    public SerializableGraphQlRequest read(Class<? extends SerializableGraphQlRequest> type, HttpInputMessage input)
            throws IOException {
        Object request = json.read(type, input);
        if (request == null) {
            throw new HttpMessageNotReadableException("The body is null", input);
        }
        return (SerializableGraphQlRequest) request;
    }

    @Override
    public void write(SerializableGraphQlRequest request, MediaType contentType, HttpOutputMessage output) {
        throw new UnsupportedOperationException("A GraphQL request is only read");
    }
}
