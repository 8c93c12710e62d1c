package dev.trackstack.metric;

import java.util.List;

import dev.trackstack.storage.PointStore;
import dev.trackstack.storage.StorageMode;
import dev.trackstack.system.ServerVersion;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

@Controller
class ServerInfoController {

    private final ServerInfo info;

    ServerInfoController(PointStore store, ServerVersion version) {
        this.info = new ServerInfo(version.value(), store.mode(), store.levels());
    }

    @QueryMapping
    ServerInfo serverInfo() {
        return info;
    }

    record ServerInfo(String version, StorageMode storage, List<String> levels) {
    }
}
