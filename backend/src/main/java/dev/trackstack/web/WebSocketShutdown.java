package dev.trackstack.web;

import jakarta.servlet.ServletContext;
import jakarta.websocket.server.ServerContainer;
import org.apache.tomcat.websocket.WsWebSocketContainer;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * On shutdown, closes every WebSocket with 1001 (going away), so that clients see a normal close and reconnect
 * instead of a dropped connection (1006): the web server would just cut the sockets. It runs once the graceful
 * shutdown has let the calls in flight finish, and before the web server stops. Subscriptions are not
 * completed first on purpose: a graphql-ws client takes "complete" as the end and would not resubscribe.
 */
@Component
class WebSocketShutdown implements SmartLifecycle {

    private final ServletContext servletContext;
    private volatile boolean running;

    WebSocketShutdown(ServletContext servletContext) {
        this.servletContext = servletContext;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        // Tomcat's container closes its sessions with 1001 this way; a no-op on another server.
        if (servletContext.getAttribute(ServerContainer.class.getName()) instanceof WsWebSocketContainer tomcat) {
            tomcat.destroy();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - 1;
    }
}
