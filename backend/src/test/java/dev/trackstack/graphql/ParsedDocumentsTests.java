package dev.trackstack.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import graphql.ExecutionInput;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.parser.Parser;
import org.junit.jupiter.api.Test;

class ParsedDocumentsTests {

    private final ParsedDocuments documents = new ParsedDocuments();
    private final AtomicInteger parsed = new AtomicInteger();
    private final Function<ExecutionInput, PreparsedDocumentEntry> parse = input -> {
        parsed.incrementAndGet();
        return new PreparsedDocumentEntry(Parser.parse(input.getQuery()));
    };

    @Test
    void shouldParseADocumentOnceWhateverItsVariables() {
        PreparsedDocumentEntry first = get("query($id: ID!) { run(id: $id) { id } }", Map.of("id", "1"));
        PreparsedDocumentEntry again = get("query($id: ID!) { run(id: $id) { id } }", Map.of("id", "2"));
        get("{ projects { name } }", Map.of());

        assertThat(again).isSameAs(first);
        assertThat(parsed).hasValue(2);
    }

    @Test
    void shouldKeepABoundedNumberOfShortDocuments() {
        String alias = "a".repeat(ParsedDocuments.MAX_LENGTH);
        get("{ " + alias + ": projects { name } }", Map.of());
        get("{ " + alias + ": projects { name } }", Map.of());
        assertThat(parsed).as("a long document, not kept").hasValue(2);

        for (int i = 0; i <= ParsedDocuments.MAX_DOCUMENTS; i++) {
            get("{ p" + i + ": projects { name } }", Map.of());
        }
        get("{ p0: projects { name } }", Map.of());
        assertThat(parsed).as("the first, parsed again once the cache started over")
                .hasValue(2 + ParsedDocuments.MAX_DOCUMENTS + 2);
    }

    private PreparsedDocumentEntry get(String document, Map<String, Object> variables) {
        return documents.getDocumentAsync(ExecutionInput.newExecutionInput(document).variables(variables).build(), parse)
                .join();
    }
}
