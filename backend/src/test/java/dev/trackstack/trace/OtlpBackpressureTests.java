package dev.trackstack.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.sql.DataSource;

import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.trackstack.ApiTest;
import dev.trackstack.TrackstackApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A second instance, on the same database, whose few database connections the test takes away: OTLP requests
 * then cannot be stored, and exporters are told to retry later as the specification has it: 503 while the
 * database is out of reach, 429 for a request beyond the permits (trackstack.tracing.concurrent-requests, 4)
 * that the waiting ones hold. Nothing is stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OtlpBackpressureTests extends ApiTest {

    private ConfigurableApplicationContext starved;
    private int starvedPort;
    private final List<Connection> held = new ArrayList<>();

    @BeforeAll
    void start() {
        List<String> args = new ArrayList<>(List.of(sameDatabase()));
        args.addAll(List.of("--server.port=0", "--spring.datasource.hikari.maximum-pool-size=3"));
        starved = new SpringApplication(TrackstackApplication.class).run(args.toArray(String[]::new));
        starvedPort = ((WebServerApplicationContext) starved).getWebServer().getPort();
    }

    @AfterAll
    void stop() throws SQLException {
        for (Connection connection : held) {
            connection.close();
        }
        starved.close();
    }

    @Test
    void shouldAskExportersToRetryWhenSpansCannotBeStored() throws Exception {
        DataSource pool = starved.getBean(DataSource.class);
        try {
            while (true) {
                held.add(pool.getConnection());
            }
        } catch (SQLException e) {
            // every connection of the pool is taken
        }
        byte[] body = Otlp.request(List.of(), Otlp.span("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", null,
                "root", 0, 5)).toByteArray();
        List<CompletableFuture<HttpResponse<byte[]>>> responses = new ArrayList<>();
        ExecutorService senders = Executors.newFixedThreadPool(5);
        for (int i = 0; i < 5; i++) {
            responses.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return Otlp.post(starvedPort, "/v1/traces", Otlp.PROTOBUF, body, IncomingSpans.PROJECT_HEADER,
                            project);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, senders));
        }
        CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).join();
        senders.shutdown();

        List<Integer> statuses = responses.stream().map(CompletableFuture::join).map(HttpResponse::statusCode)
                .sorted().toList();
        assertThat(statuses).containsExactly(429, 503, 503, 503, 503);
        for (CompletableFuture<HttpResponse<byte[]>> response : responses) {
            HttpResponse<byte[]> answer = response.join();
            assertThat(answer.headers().firstValue("Retry-After")).isPresent();
            assertThat(Status.parseFrom(answer.body()).getCode()).isIn(Code.RESOURCE_EXHAUSTED_VALUE,
                    Code.UNAVAILABLE_VALUE);
        }
        assertThat(jdbc.queryForObject("select count(*) from project where name = ?", Integer.class, project))
                .isZero();
    }
}
