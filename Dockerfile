# syntax=docker/dockerfile:1
# The application image, built from source: docker build -t trackstack . (docker compose up --build does it too).

# The build: JDK 17 for Maven (through ./mvnw), Node.js 22 for the dashboard (Vite 8 needs Node.js 20.19 or later).
FROM node:22-bookworm-slim AS build
# The slim image has no man directories, which the JDK's package links its man pages into.
RUN mkdir -p /usr/share/man/man1 \
    && apt-get update \
    && apt-get install -y --no-install-recommends openjdk-17-jdk-headless \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The server's jar and the modules it bundles (the GraphQL schema, the dashboard); Maven's and npm's downloads are
# kept between builds.
RUN --mount=type=cache,target=/root/.m2 --mount=type=cache,target=/root/.npm \
    ./mvnw -B -q -pl backend -am -DskipTests -Dmaven.test.skip=true package

FROM eclipse-temurin:21-jre
# A fixed user id, which the Helm chart runs the pods as (deploy/helm).
RUN groupadd --system --gid 10001 trackstack \
    && useradd --system --uid 10001 --gid 10001 --create-home trackstack
COPY --from=build /src/backend/target/trackstack.jar /opt/trackstack/trackstack.jar
USER 10001:10001
EXPOSE 8080
ENV SERVER_ADDRESS=0.0.0.0
# No JVM options here: the launcher (java -jar) gives the server's JVM its memory settings (a 256 MB heap, two malloc
# arenas; docs/operations.md, "Memory"), and JAVA_TOOL_OPTIONS (-Xmx1g, say) or MALLOC_ARENA_MAX
# set on the container replace them, which options on this line would not (they come after JAVA_TOOL_OPTIONS).
ENTRYPOINT ["java", "-jar", "/opt/trackstack/trackstack.jar"]
