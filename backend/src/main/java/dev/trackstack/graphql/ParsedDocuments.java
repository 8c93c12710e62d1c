package dev.trackstack.graphql;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import graphql.ExecutionInput;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.execution.preparsed.PreparsedDocumentProvider;

/**
 * Documents parsed and validated once per text: clients send the same few documents again and again with other
 * variables (a training loop its logMetrics), and graphql-java would parse and validate each anew. Validation does
 * not depend on the variables; the limits that do ({@link QueryLimits}) run on every request. Bounded: past
 * {@link #MAX_DOCUMENTS} it starts over, and long documents are not kept.
 */
final class ParsedDocuments implements PreparsedDocumentProvider {

    static final int MAX_DOCUMENTS = 500;
    static final int MAX_LENGTH = 10_000;

    private final Map<String, PreparsedDocumentEntry> documents = new ConcurrentHashMap<>();

    @Override
    public CompletableFuture<PreparsedDocumentEntry> getDocumentAsync(ExecutionInput input,
            Function<ExecutionInput, PreparsedDocumentEntry> parseAndValidate) {
        String text = input.getQuery();
        PreparsedDocumentEntry document = documents.get(text);
        if (document == null) {
            document = parseAndValidate.apply(input);
            if (text.length() <= MAX_LENGTH) {
                if (documents.size() >= MAX_DOCUMENTS) {
                    documents.clear();
                }
                documents.put(text, document);
            }
        }
        return CompletableFuture.completedFuture(document);
    }
}
