package dev.trackstack.system;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.Ordered;
import org.springframework.core.PriorityOrdered;

/**
 * Starts the embedded PostgreSQL in the background as soon as Spring has read the configuration, so that its start
 * (about 0.6 s) runs beside the web server's and the first beans' creation instead of before them; the
 * {@code embeddedPostgres} bean waits for it. Stopped when the context closes, also when it failed before the bean.
 */
final class EmbeddedPostgresStart implements BeanFactoryPostProcessor, PriorityOrdered, DisposableBean {

    private final Path dataDir;
    private final CompletableFuture<SupervisedPostgres> started = new CompletableFuture<>();
    private volatile boolean starting;

    EmbeddedPostgresStart(Path dataDir) {
        this.dataDir = dataDir.toAbsolutePath();
    }

    /** Before the other post-processors: the earlier it starts, the more of its start runs beside Spring's. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        Thread thread = new Thread(() -> {
            try {
                started.complete(SupervisedPostgres.start(dataDir));
            } catch (Throwable e) {
                started.completeExceptionally(e);
            }
        }, "embedded-postgres-start");
        thread.setDaemon(true);
        thread.start();
        starting = true;
    }

    /** The started PostgreSQL; its start's failure as it was thrown (for the failure analyzers). */
    SupervisedPostgres await() throws IOException {
        try {
            return started.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    /** After every other bean (it was made first): a second close of a PostgreSQL the bean closed does nothing. */
    @Override
    public void destroy() {
        SupervisedPostgres postgres = starting ? started.exceptionally(failure -> null).join() : null;
        if (postgres != null) {
            postgres.close();
        }
    }
}
