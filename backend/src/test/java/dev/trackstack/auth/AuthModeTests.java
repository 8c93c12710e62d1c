package dev.trackstack.auth;

import static dev.trackstack.auth.SecurityConfiguration.tokensRequired;
import static dev.trackstack.system.TrackstackProperties.AuthMode.AUTO;
import static dev.trackstack.system.TrackstackProperties.AuthMode.OFF;
import static dev.trackstack.system.TrackstackProperties.AuthMode.REQUIRED;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AuthModeTests {

    @Test
    void shouldRequireTokensInAutoModeUnlessListeningOnLoopbackOnly() {
        assertThat(tokensRequired(AUTO, "127.0.0.1")).isFalse();
        assertThat(tokensRequired(AUTO, "localhost")).isFalse();
        assertThat(tokensRequired(AUTO, "::1")).isFalse();
        assertThat(tokensRequired(AUTO, "0.0.0.0")).isTrue();
        assertThat(tokensRequired(AUTO, "192.168.1.10")).isTrue();
        assertThat(tokensRequired(AUTO, "")).as("no address: every interface").isTrue();
        assertThat(tokensRequired(AUTO, null)).isTrue();
    }

    @Test
    void shouldFollowAnExplicitMode() {
        assertThat(tokensRequired(REQUIRED, "127.0.0.1")).isTrue();
        assertThat(tokensRequired(OFF, "0.0.0.0")).isFalse();
    }
}
