package dev.trackstack.graphql;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import graphql.ErrorType;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.schema.DataFetchingEnvironment;
import org.hibernate.TransactionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.graphql.execution.DataFetcherExceptionResolverAdapter;
import org.springframework.graphql.execution.SubscriptionExceptionResolver;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.stereotype.Component;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.validation.BindException;
import reactor.core.publisher.Mono;

/**
 * Gives every error an {@code extensions.code} and a message fit for the client: never a stack trace or SQL.
 */
@Component
class GraphQlErrors extends DataFetcherExceptionResolverAdapter
        implements SubscriptionExceptionResolver, WebGraphQlInterceptor {

    private static final Logger log = LoggerFactory.getLogger(GraphQlErrors.class);

    /**
     * The SQLSTATEs (of class 22, data exception) that a value the caller sent can cause and our checks let through:
     * a string too long, a number out of range, text or a time the database cannot read or hold, a character it
     * cannot store. Other data exceptions come from what the server itself asks of the database (pg_notify's
     * "payload string too long" is 22023), are the server's fault and answer INTERNAL, so that clients retry
     * rather than drop the data.
     */
    private static final Set<String> DATA_EXCEPTIONS = Set.of("22001", "22003", "22007", "22008", "22021", "22P02",
            "22P05");

    @Override
    protected GraphQLError resolveToSingleError(Throwable ex, DataFetchingEnvironment env) {
        Throwable cause = NestedExceptionUtils.getMostSpecificCause(ex);
        if (ex instanceof ApiException api) {
            return error(env, api.code(), api.getMessage());
        }
        if (ex instanceof BindException || cause instanceof IllegalArgumentException) {
            return error(env, ErrorCode.BAD_USER_INPUT, "Invalid argument: " + cause.getMessage());
        }
        if (cause instanceof SQLException sql && sql.getSQLState() != null
                && DATA_EXCEPTIONS.contains(sql.getSQLState())) {
            log.warn("Data exception in {}: {}", env.getField().getName(), cause.toString());
            return error(env, ErrorCode.BAD_USER_INPUT, "Invalid argument: a value is out of the range the "
                    + "database can store, or holds a character it cannot store; nothing was written");
        }
        if (cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("54")) {
            // SQLSTATE class 54, program limit exceeded (too complex, stack depth): the query's fault, so never
            // UNAVAILABLE, which would tell the client to send it again. Spring counts the class as resource failure.
            log.warn("Program limit exceeded in {}: {}", env.getField().getName(), cause.toString());
            return error(env, ErrorCode.LIMIT_EXCEEDED, "The request is too complex for the database; nothing was "
                    + "written");
        }
        if (databaseUnavailable(ex)) {
            log.warn("Database unavailable for {}: {}", env.getField().getName(), cause.toString());
            return error(env, ErrorCode.UNAVAILABLE, "The database is unavailable. Retry later.");
        }
        log.error("Unexpected failure in {}", env.getField().getName(), ex);
        return error(env, ErrorCode.INTERNAL, "Internal error; nothing was written. See the server log.");
    }

    /**
     * Whether the failure is the database's absence: unreachable, shutting down, or gone mid-request. PostgreSQL
     * rolls back a transaction whose connection breaks, so a retry is safe (and logMetrics is idempotent for
     * the rare commit whose answer was lost). The whole cause chain counts, and so does a failed commit or
     * rollback (Hibernate's TransactionException): the rollback on a broken connection fails too, and Spring
     * then throws that failure in place of the original one.
     */
    private static boolean databaseUnavailable(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof DataAccessResourceFailureException || t instanceof CannotCreateTransactionException
                    || t instanceof TransientDataAccessException || t instanceof TransactionException
                    || t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLException sql && unavailableState(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** SQLSTATE classes 08 (connection exception), 53 (insufficient resources), 57P (server shutting down). */
    private static boolean unavailableState(String state) {
        return state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P"));
    }

    private static GraphQLError error(DataFetchingEnvironment env, ErrorCode code, String message) {
        return GraphqlErrorBuilder.newError(env).errorType(code).message(message)
                .extensions(Map.of("code", code.name())).build();
    }

    /**
     * A subscription refused as it starts (its arguments) or whose stream fails: the same codes, from the
     * {@code error} message that ends it.
     */
    @Override
    public Mono<List<GraphQLError>> resolveException(Throwable ex) {
        ErrorCode code = ex instanceof ApiException api ? api.code()
                : databaseUnavailable(ex) ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL;
        String message = ex instanceof ApiException ? ex.getMessage()
                : code == ErrorCode.UNAVAILABLE ? "The database is unavailable. Subscribe again later."
                : "Internal error. See the server log.";
        if (code == ErrorCode.INTERNAL) {
            log.error("Unexpected failure in a subscription", ex);
        }
        return Mono.just(List.of(GraphqlErrorBuilder.newError().errorType(code).message(message)
                .extensions(Map.of("code", code.name())).build()));
    }

    /** Errors raised before any data fetcher runs (syntax, validation, coercion, limits) get a code too. */
    @Override
    public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
        return chain.next(request).map(response -> response.getErrors().isEmpty() ? response
                : response.transform(builder -> builder.errors(withCodes(response.getExecutionResult().getErrors()))));
    }

    private static List<GraphQLError> withCodes(List<GraphQLError> errors) {
        return errors.stream().map(GraphQlErrors::withCode).toList();
    }

    private static GraphQLError withCode(GraphQLError error) {
        if (error.getExtensions() != null && error.getExtensions().containsKey("code")) {
            return error;
        }
        // graphql-java aborts a query over the depth or complexity limit.
        ErrorCode code = error.getErrorType() == ErrorType.ExecutionAborted
                ? ErrorCode.LIMIT_EXCEEDED : ErrorCode.BAD_USER_INPUT;
        return GraphQLError.newError().message(error.getMessage()).locations(error.getLocations())
                .path(error.getPath()).errorType(error.getErrorType())
                .extensions(Map.of("code", code.name())).build();
    }
}
