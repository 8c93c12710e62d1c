package dev.trackstack.auth;

import java.util.Optional;

import org.springframework.data.jpa.repository.JpaRepository;

interface ApiTokenRepository extends JpaRepository<ApiToken, Long> {

    Optional<ApiToken> findBySecretHashAndRevokedAtIsNull(byte[] secretHash);
}
