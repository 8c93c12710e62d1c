package dev.trackstack.metric;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import io.micrometer.core.instrument.DistributionSummary;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Joins concurrent calls into one transaction, so that a commit (and its fsync) is paid per group, not per call.
 * A caller queues its call; whoever finds no group forming leads the next one: it waits for an ingest slot (while
 * more calls queue up), takes its own call and the oldest waiting ones, writes them all with shared statements
 * ({@link MetricIngest#logTogether}), commits once and answers every caller. When the shared statements fail, the
 * group is written again, each call to a savepoint of its own: a call that fails then is rolled back to its
 * savepoint and fails alone. A failed commit fails every call of the group, which their batchIds make safe to
 * resend.
 *
 * <p>A group takes its runs' and series' row locks up front, in id order as a single call and a run deletion do, so
 * that two groups (each holding the locks of several calls) seldom deadlock each other; when they do, the victim
 * group is written again with savepoints, and a call that is the victim then is run again alone (see {@link #run}).
 */
final class GroupCommit {

    /**
     * Each call of a group writes in a subtransaction of its own; past 64 of them PostgreSQL's snapshots of every
     * session take the slow path (the subtransaction cache overflows), so a group stays below that.
     */
    static final int MAX_CALLS = 60;
    /** Calls are joined while the group holds fewer points: a bulk batch goes alone, as it gains nothing. */
    static final int MAX_POINTS = 1000;
    /** How many more times a deadlock's victim is run before its caller gets the error (seen: twice in a row). */
    static final int DEADLOCK_ATTEMPTS = 5;

    private final MetricIngest ingest;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Semaphore slots;
    private final long waitNanos;
    private final DistributionSummary groupSize;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Calls not yet taken by a group, oldest first. Guarded by lock, as are the calls' fields. */
    private final ArrayDeque<Call> queue = new ArrayDeque<>();
    /** Whether a leader waits for a slot: the calls queuing meanwhile join its group. */
    private boolean forming;

    GroupCommit(MetricIngest ingest, JdbcTemplate jdbc, TransactionTemplate transactions, Semaphore slots,
            long waitNanos, DistributionSummary groupSize) {
        this.ingest = ingest;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.slots = slots;
        this.waitNanos = waitNanos;
        this.groupSize = groupSize;
    }

    /** Stores the call in a group's transaction; UNAVAILABLE when no group takes it in time. */
    LogResult log(Call call) {
        long deadline = call.queued + waitNanos;
        lock.lock();
        try {
            queue.add(call);
            while (call.group == null) {
                long left = deadline - System.nanoTime();
                boolean waiting;
                if (forming) {
                    waiting = left > 0 && awaitChange(left);
                } else {
                    forming = true;
                    lock.unlock();
                    try {
                        waiting = lead(call, left);
                    } finally {
                        lock.lock();
                    }
                }
                if (!waiting) {
                    queue.remove(call);
                    call.waited = System.nanoTime() - call.queued;
                    throw busy();
                }
            }
            while (!call.done) {
                changed.awaitUninterruptibly();  // its group is running: only the commit tells how it ends
            }
        } finally {
            lock.unlock();
        }
        return call.outcome();
    }

    /** Runs a group with this call in it; answers false when no slot freed up in time. */
    private boolean lead(Call own, long waitNanos) {
        boolean slot = acquire(waitNanos);
        List<Call> group = new ArrayList<>();
        lock.lock();
        try {
            forming = false;
            if (slot) {
                take(own, group);
                int points = own.points.size();
                for (Call c = queue.peek(); c != null && group.size() < MAX_CALLS
                        && points + c.points.size() <= MAX_POINTS; c = queue.peek()) {
                    take(c, group);
                    points += c.points.size();
                }
            }
            changed.signalAll();  // the group is taken (or no one leads): another caller may lead the next one
        } finally {
            lock.unlock();
        }
        if (!slot) {
            return false;
        }
        groupSize.record(group.size());
        try {
            run(group);
        } finally {
            slots.release();
            lock.lock();
            try {
                group.forEach(c -> c.done = true);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
        return true;
    }

    private void take(Call call, List<Call> group) {
        queue.remove(call);
        call.group = group;
        call.waited = System.nanoTime() - call.queued;
        group.add(call);
    }

    /**
     * Runs the group, then again, each alone, the calls that PostgreSQL chose as a deadlock's victim: a series is
     * locked in id order, but ids are given when a series is created, not when it is committed, so a group may lock
     * a series created meanwhile after one with a higher id, and two groups creating the same new series wait on
     * each other. A victim's savepoint (or transaction) was rolled back, so it stored nothing; alone, it holds none
     * of the locks it waited behind, though it can still meet another group's cycle, hence a few attempts.
     */
    private void run(List<Call> group) {
        runOnce(group);
        for (int attempt = 0; attempt < DEADLOCK_ATTEMPTS; attempt++) {
            List<Call> victims = group.stream()
                    .filter(c -> c.error instanceof PessimisticLockingFailureException).toList();
            if (victims.isEmpty()) {
                return;
            }
            for (Call victim : victims) {
                victim.error = null;
                runOnce(List.of(victim));
            }
        }
    }

    private void runOnce(List<Call> group) {
        if (group.size() == 1) {
            Call call = group.get(0);
            try {
                call.result = ingest.log(call.runId, call.points, call.batchId);
            } catch (RuntimeException | Error e) {
                call.error = e;
            }
            return;
        }
        try {
            if (!transactions.execute(status -> runTogether(group, status))) {
                transactions.executeWithoutResult(status -> {
                    lockInOrder(group);
                    group.forEach(this::runToSavepoint);
                });
            }
        } catch (RuntimeException | Error e) {
            for (Call call : group) {
                call.result = null;
                call.error = e;  // the commit failed, or the connection broke: nothing of the group is stored
            }
        }
    }

    /**
     * Stores the group with statements shared by its calls, unless one fails (a call the database refuses fails
     * them all): then its transaction is rolled back, for the calls to be run again each to a savepoint of its
     * own, and this answers false.
     */
    private boolean runTogether(List<Call> group, TransactionStatus status) {
        List<LogResult> results;
        try {
            results = ingest.logTogether(group);
        } catch (RuntimeException e) {
            status.setRollbackOnly();
            return false;
        }
        for (int i = 0; i < group.size(); i++) {
            Call call = group.get(i);
            call.result = results.get(i);
            call.error = call.result == null ? ApiException.notFound("run", call.runId) : null;
        }
        return true;
    }

    private void lockInOrder(List<Call> group) {
        Long[] runs = group.stream().map(c -> c.runId).distinct().sorted().toArray(Long[]::new);
        jdbc.queryForList("select id from run where id = any(?) order by id for key share", Long.class,
                (Object) runs);
        List<Long> seriesRuns = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> splits = new ArrayList<>();
        for (Call call : group) {
            call.points.series().forEach(key -> {
                seriesRuns.add(call.runId);
                names.add(key.name());
                splits.add(key.split());
            });
        }
        jdbc.queryForList("""
                select s.id from metric_series s
                join unnest(?::bigint[], ?::text[], ?::text[]) as k(run_id, name, split)
                  on s.run_id = k.run_id and s.name = k.name and coalesce(s.split, '') = coalesce(k.split, '')
                order by s.id
                for no key update of s
                """, Long.class, seriesRuns.toArray(Long[]::new), names.toArray(String[]::new),
                splits.toArray(String[]::new));
    }

    private void runToSavepoint(Call call) {
        List<TransactionSynchronization> before = TransactionSynchronizationManager.getSynchronizations();
        jdbc.execute("savepoint call");
        try {
            call.result = ingest.logInTransaction(call.runId, call.points, call.batchId);
            jdbc.execute("release savepoint call");
        } catch (RuntimeException e) {
            jdbc.execute("rollback to savepoint call");
            // Spring keeps after-commit listeners per transaction, not per savepoint: drop the ones this call
            // registered, so that a call rolled back publishes nothing (pg_notify is dropped by PostgreSQL itself).
            TransactionSynchronizationManager.clearSynchronization();
            TransactionSynchronizationManager.initSynchronization();
            before.forEach(TransactionSynchronizationManager::registerSynchronization);
            call.error = e;
        }
    }

    private boolean acquire(long nanos) {
        try {
            return slots.tryAcquire(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean awaitChange(long nanos) {
        try {
            changed.awaitNanos(nanos);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static ApiException busy() {
        return new ApiException(ErrorCode.UNAVAILABLE, "The server is busy storing other points. Retry later.");
    }

    /** One caller's call; its outcome is set by the group's leader. */
    static final class Call {

        final long runId;
        final PointBatch points;
        final String batchId;
        final long queued = System.nanoTime();
        /** Nanoseconds until a group took it. */
        long waited;
        private List<Call> group;
        private boolean done;
        private LogResult result;
        private Throwable error;

        Call(long runId, PointBatch points, String batchId) {
            this.runId = runId;
            this.points = points;
            this.batchId = batchId;
        }

        private LogResult outcome() {
            if (error instanceof RuntimeException e) {
                throw e;
            }
            if (error instanceof Error e) {
                throw e;
            }
            return result;
        }
    }
}
