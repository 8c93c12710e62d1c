package dev.trackstack.traintrack;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * TrainTrack's REST API ({@code trackstack.traintrack.*}), documented in docs/configuration.md and
 * docs/traintrack.md.
 *
 * @param enabled serves the API; off, its paths answer 404
 * @param prefix  the path the API is served under, in place of TrainTrack's base URL; it also needs a token where
 *                the server requires them (read by SecurityConfiguration as a plain setting)
 */
@ConfigurationProperties("trackstack.traintrack")
record TrainTrackProperties(@DefaultValue("true") boolean enabled, @DefaultValue("/traintrack") String prefix) {
}
