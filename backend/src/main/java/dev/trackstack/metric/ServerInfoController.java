package dev.trackstack.metric;

import java.util.Arrays;
import java.util.List;

import dev.trackstack.storage.AggregateLevel;
import dev.trackstack.storage.Storage;
import dev.trackstack.storage.StorageMode;
import dev.trackstack.system.ServerVersion;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

@Controller
class ServerInfoController {

    private final ServerInfo info;

    ServerInfoController(Storage storage, ServerVersion version) {
        List<String> levels = storage.mode().rollupsAtIngest()
                ? Arrays.stream(Rollups.LEVELS).mapToObj(level -> "rollup-" + level).toList()
                : Arrays.stream(AggregateLevel.values()).map(level -> "aggregate-" + level.label()).toList();
        this.info = new ServerInfo(version.value(), storage.mode(), levels);
    }

    @QueryMapping
    ServerInfo serverInfo() {
        return info;
    }

    record ServerInfo(String version, StorageMode storage, List<String> levels) {
    }
}
