package dev.trackstack.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import dev.trackstack.ApiTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

class AfterCommitTests extends ApiTest {

    @Autowired
    TransactionTemplate transactions;

    @Test
    void shouldRunOnlyOnceTheTransactionCommits() {
        List<String> ran = new ArrayList<>();
        transactions.executeWithoutResult(status -> {
            AfterCommit.run(() -> ran.add("committed"));
            assertThat(ran).as("before the commit").isEmpty();
        });
        assertThat(ran).containsExactly("committed");
    }

    @Test
    void shouldNeverRunWhenTheTransactionRollsBack() {
        List<String> ran = new ArrayList<>();
        transactions.executeWithoutResult(status -> {
            AfterCommit.run(() -> ran.add("rolled back"));
            status.setRollbackOnly();
        });
        assertThat(ran).isEmpty();
    }

    @Test
    void shouldRunAtOnceOutsideATransaction() {
        List<String> ran = new ArrayList<>();
        AfterCommit.run(() -> ran.add("now"));
        assertThat(ran).containsExactly("now");
    }
}
