package dev.trackstack;

import dev.trackstack.backup.BackupCommand;
import dev.trackstack.importer.ImportCommand;
import dev.trackstack.launch.FastStart;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class TrackstackApplication {

    public static void main(String[] args) throws InterruptedException {
        if (ImportCommand.wanted(args)) {
            System.exit(ImportCommand.run(args, System.getenv(), System.out, System.err));
        }
        if (BackupCommand.wanted(args)) {
            System.exit(BackupCommand.run(args, System.out, System.err));
        }
        FastStart.relaunch(args);
        FastStart.followLauncher();
        SpringApplication.run(TrackstackApplication.class, args);
    }
}
